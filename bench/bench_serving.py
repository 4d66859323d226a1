"""The production server under load: gunicorn with 4 workers, 20 concurrent clients for 30 s on each of a bare view
(the baseline), the public check page and an owner's instrument list; requests per second, p50 and p99 of each.

- **Database**: the demo city (``seed_city --seed 1``, 50 000 instruments as ``make demo``; ``--instruments N``) in a
  database of its own (``var/bench/serving/`` or ``<BENCH_PG_URL>_serving``), reused while it holds the same seed
  and size (``--fresh`` rebuilds it).
- **Server**: gunicorn with ``deploy/gunicorn.conf.py`` as ``make serve`` runs it (access log on, preloaded app),
  ``WEB_CONCURRENCY=4``, with the production settings (no JILIANG_DEV, DEBUG off, a random 64-character
  SECRET_KEY, HTTPS redirect and HSTS on: every request carries ``X-Forwarded-Proto: https`` and ``X-Real-IP``, as
  nginx in front sends them), ``DB_CONN_MAX_AGE=600``. Its settings module, ``bench/serving_settings.py``, only
  adds ``/bench/bare/`` (``bench/serving_urls.py``): a view that returns ``ok`` through every middleware.
- **Pages**: the QR link ``/check/c/<token>/`` cycling over every certificate of the city (each check writes its
  log row, as in production); ``/instruments/`` for the demo owner, logged in (a session cookie made for it).
- **Load**: wrk (Debian package ``wrk``: ``apt-get install wrk``), 2 threads, 20 connections, 30 s per target
  after a 3 s warm-up, timeout 30 s so that slow answers are measured rather than dropped. wrk rather than a Python
  client: on a small machine the load generator shares the cores with the server, and wrk's event loop in C costs a
  fraction of what 20 Python clients would, so the figures are the server's. A closed loop: each connection sends
  its next request when the answer arrives (the latency under this load, not under a fixed arrival rate).

Without wrk the bench prints how to install it and stops. A benchmark never fails on a time.

    python bench/bench_serving.py --db sqlite|postgres [--instruments N] [--seconds S] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
SEED = 1
INSTRUMENTS = 50_000
WORKERS = 4
CLIENTS = 20
SECONDS = 30
WARMUP_SECONDS = 3
PUBLIC_HOST = "jiliang.bench.invalid"
# What nginx sends in front of the application (deploy/nginx-jiliang.conf).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.10"}
INSTALL_WRK = "wrk is not installed: on Debian or Ubuntu, `sudo apt-get install wrk` (https://github.com/wg/wrk)"


def _use_own_database() -> None:
    common.VAR = common.VAR / "serving"
    common.PG_URL = common.PG_URL + "_serving"


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


def ensure_city(db: str, size: int, *, fresh: bool, argv: list[str]) -> int | None:
    """Set up Django on the bench database and seed the demo city unless it holds that city already; a return value
    means "exit now" (another size was there: the script ran again with --fresh)."""
    if db == "postgres" and not fresh:
        name = common.PG_URL.rsplit("/", 1)[1]
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc"]
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        found = subprocess.run([*psql, query], check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603
        fresh = found != "1"
    if db == "sqlite" and not (common.VAR / "bench.sqlite3").exists():
        fresh = True
    common.setup_django(db, fresh=fresh)
    from django.core.management import call_command
    from django.utils import timezone

    from jiliang.core.models import AuditEvent
    from jiliang.demo import city

    event = AuditEvent.objects.filter(action=city.AUDIT_ACTION).order_by("-id").first()
    if event and event.changes.get("seed") == SEED and event.changes.get("instruments") == size:
        print(f"# reusing the city seeded on {event.changes.get('today')} ({size:,} instruments)", flush=True)
        return None
    if not city.database_is_empty():
        if fresh:
            raise SystemExit("the fresh database is not empty")
        print("# the serving database holds another city: rebuilding it", flush=True)
        # Django is set up on the old database in this process: start again in a new one.
        return subprocess.run([sys.executable, __file__, *argv, "--fresh"], check=False).returncode  # noqa: S603
    print(f"# seeding {size:,} instruments ({_load()})", flush=True)
    start = time.perf_counter()
    # The command, not city.build_city alone: the demo city has a year of requests and certificates, and snapshots.
    call_command("seed_city", seed=SEED, instruments=size, today=timezone.localdate().isoformat())
    common.report(f"seed_city {size:,} instruments [{db}]", time.perf_counter() - start, "s")
    return None


def owner_session() -> tuple[str, str, int]:
    """A session cookie for the demo owner (made with the server's SECRET_KEY), its name and its instrument count."""
    from django.test import Client

    from jiliang.core.models import User
    from jiliang.instruments.models import Instrument

    owner = User.objects.select_related("organization").get(username=common.OWNER)
    client = Client()
    client.force_login(owner)
    count = Instrument.objects.filter(owner=owner.organization).count()
    return client.cookies["sessionid"].value, owner.organization.name, count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, secret_key: str) -> subprocess.Popen:
    """gunicorn as `make serve` starts it, with the production settings of a deployment behind nginx."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{HERE}{os.pathsep}{common.ROOT}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "serving_settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DB_CONN_MAX_AGE": "600",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
        "JILIANG_PUBLIC_BASE_URL": f"https://{PUBLIC_HOST}",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "JILIANG_CLIENT_IP_HEADER": "X-Real-IP",
        "JILIANG_SIGNING_KEY_FILE": os.environ["JILIANG_SIGNING_KEY_FILE"],
        # The typed-number limit is not what is measured here (QR links only); keep it out of the way.
        "JILIANG_PUBLIC_CHECK_PER_MINUTE": "1000000000",
        "WEB_CONCURRENCY": str(WORKERS),
        "JILIANG_BIND": f"127.0.0.1:{port}",
    }
    log = open(common.VAR / "gunicorn.log", "w")  # closed by stop_server
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 (our own server)
        [str(gunicorn), "-c", str(common.ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=common.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {common.VAR / 'gunicorn.log'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.log.close()  # type: ignore[attr-defined]


def fetch(url: str, cookie: str = "") -> tuple[int, str]:
    headers = {**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http://127.0.0.1, our own server)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect (to the login page, or to HTTPS) is a wrong answer here, never something to follow.
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Run:
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    bad: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def wrk(base: str, paths: list[str], seconds: int, cookie: str = "") -> Run:
    """``CLIENTS`` connections for ``seconds``, cycling over ``paths``; parses wrk's summary."""
    script = common.VAR / "paths.lua"
    quoted = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format('GET', paths[(n % #paths) + 1])\n"
        "end\n",
        encoding="utf-8",
    )
    headers = [f"{name}: {value}" for name, value in PROXY_HEADERS.items()] + ([f"Cookie: {cookie}"] if cookie else [])
    command = ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "30s", "--latency"]
    command += [arg for h in headers for arg in ("-H", h)] + ["-s", str(script), base]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603 (wrk)
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"cannot read wrk's latency distribution:\n{out}")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Run(
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        bad=bad,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--instruments", type=int, default=INSTRUMENTS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(f"skipped: {INSTALL_WRK}", flush=True)
        return 0

    _use_own_database()
    common.VAR.mkdir(parents=True, exist_ok=True)
    # The bench process makes the owner's session, so it signs with the server's key.
    secret_key = secrets.token_urlsafe(48)
    os.environ["SECRET_KEY"] = secret_key
    os.environ["JILIANG_SIGNING_KEY_FILE"] = str(common.VAR / "certificate-signing.pem")
    exit_now = ensure_city(args.db, args.instruments, fresh=args.fresh, argv=argv)
    if exit_now is not None:
        return exit_now

    from django.db import connections

    from jiliang.verification.models import Certificate

    tokens = list(Certificate.objects.order_by("pk").values_list("token", flat=True))
    session, owner_name, owner_instruments = owner_session()
    cookie = f"sessionid={session}"
    connections.close_all()
    common.report("certificates checked in turn", len(tokens), "certificates")
    common.report(f"instruments of the demo owner ({owner_name})", owner_instruments, "instruments")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, secret_key)
    try:
        targets = {
            "bare view /bench/bare/ (baseline)": (["/bench/bare/"], ""),
            "public check /check/c/<token>/": ([f"/check/c/{t}/" for t in tokens], ""),
            "owner's instrument list /instruments/": (["/instruments/"], cookie),
        }
        # Every answer is right before anything is timed: 200, the page expected, no redirect to HTTPS or login.
        assert fetch(base + "/bench/bare/") == (200, "ok")
        status, body = fetch(base + f"/check/c/{tokens[0]}/")
        assert status == 200 and "数字签名" in body, status
        status, body = fetch(base + "/instruments/", cookie)
        assert status == 200 and 'id="instrument-table"' in body, status
        print(f"# gunicorn, {WORKERS} workers, production settings [{args.db}]; wrk: {CLIENTS} connections", flush=True)

        runs: dict[str, Run] = {}
        for label, (paths, target_cookie) in targets.items():
            wrk(base, paths, WARMUP_SECONDS, target_cookie)
            runs[label] = wrk(base, paths, args.seconds, target_cookie)
            print(f"# {label}: {runs[label].requests:,} requests in {args.seconds} s ({_load()})", flush=True)
    finally:
        stop_server(server)

    baseline = next(iter(runs.values()))
    for label, run in runs.items():
        common.report(f"{label}: throughput", run.rate, "req/s")
        common.report(f"{label}: p50", run.p50_ms, "ms")
        common.report(f"{label}: p99", run.p99_ms, "ms")
        if run is not baseline:
            common.report(f"{label}: share of the bare view", 100 * run.rate / baseline.rate, "%")
        if run.bad:
            common.report(f"{label}: non-2xx answers or socket errors", run.bad, "responses")
    print(f"(gunicorn and wrk on the same machine: {_load()})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
