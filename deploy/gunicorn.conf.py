"""gunicorn's settings for jiliang: used as they are by `make serve`, `make demo` and deploy/jiliang.service.

Everything that differs between machines comes from the environment (the same file as Django's settings,
/etc/jiliang/jiliang.env on a server; docs/operations.md):

- ``JILIANG_BIND``: where to listen, comma-separated (default ``127.0.0.1:8000``; behind nginx on the same machine,
  ``unix:/run/jiliang/gunicorn.sock``). Never a public address: nginx terminates HTTPS in front.
- ``WEB_CONCURRENCY``: worker processes (default 2 × CPU cores + 1).
- ``GUNICORN_TIMEOUT``: seconds a request may run before its worker is restarted (default 120).
"""

from __future__ import annotations

import os
import sys
import warnings


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        # A config file cannot raise a tidy error: stop the server with a message naming the variable.
        sys.exit(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


# WhiteNoise serves the static files from where `make assets` put them (WHITENOISE_USE_FINDERS), so STATIC_ROOT,
# which only collectstatic fills, stays empty on purpose: its "No directory at" warning is noise (as in the tests).
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

wsgi_app = "jiliang.wsgi:application"
proc_name = "jiliang"
bind = [b.strip() for b in os.environ.get("JILIANG_BIND", "127.0.0.1:8000").split(",") if b.strip()]

# Synchronous workers, one request at a time each: the pages are CPU-bound Python (templates, PDFs, spreadsheets), so
# throughput comes from processes, and nginx in front buffers slow clients so that none holds a worker while it reads.
workers = _whole("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
# A certificate PDF or an import of a few thousand rows takes seconds; two minutes means something is stuck.
# nginx's proxy_read_timeout (deploy/nginx-jiliang.conf) is the same.
timeout = _whole("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
# No max_requests: a worker restarted on a request count would cut short the background import it may be running.

# Load Django once in the master before forking: a bad setting (no SECRET_KEY, no JILIANG_PUBLIC_BASE_URL) stops the
# server at once with its message, instead of every worker failing to boot in a loop; the workers share the memory.
# The price: new code needs a restart (systemctl restart jiliang), not a reload.
preload_app = True

# To stdout and stderr, i.e. the systemd journal (journalctl -u jiliang). nginx logs the client's address; this line
# adds how long the application took.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s %(M)sms'
