"""One server process for ``test_rate_limit_processes``: run as ``python -m tests.portal.test_rate_limit_worker``.

Not a test module (it holds no tests): it sets Django up in a process of its own, against the database named by
``DATABASE_URL`` and the cache given on the command line, types one number through the public check page a
number of times from one client address, and prints the statuses as JSON. It waits, after setting up, for a line
on its standard input, so that the test can start every process's look-ups at the same moment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--number", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--lookups", type=int, required=True)
    parser.add_argument("--now", type=float, required=True, help="the limiter's clock (seconds since the epoch)")
    parser.add_argument("--caches", required=True, help="settings.CACHES as JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings_test")
    import django

    django.setup()
    from types import SimpleNamespace

    from django.test import Client
    from django.test.utils import override_settings

    from jiliang.portal import services

    override_settings(CACHES=json.loads(args.caches)).enable()
    services.time = SimpleNamespace(time=lambda: args.now)
    client = Client(REMOTE_ADDR=args.address)
    # Everything loaded (URLs, templates, the database connection) before the start, which counts nothing.
    assert client.get("/check/").status_code == 200
    print("ready", flush=True)
    sys.stdin.readline()
    statuses = [client.get("/check/", {"number": args.number}).status_code for _ in range(args.lookups)]
    print(json.dumps(statuses), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
