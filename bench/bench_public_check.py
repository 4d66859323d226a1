"""Throughput of the public certificate check against a bare Django view, in the same run (issue 5, goal ≥ 70 %).

Builds, in a fresh database of its own (``var/bench/public/`` or ``<BENCH_PG_URL>_public``), one institute, 100
owners with 3 instruments each and one certificate per instrument (``--certificates``, default 300), inserted
directly with genuine Ed25519 signatures over their canonical documents
(``jiliang.verification.formats.documents.certificate_document``, signed with the platform key): most valid, some
revoked, some superseded by a correction, some expired.

Then times, in this process, requests per second of:

- a bare view: ``HttpResponse("ok")``, marked ``login_not_required``, added by a bench URLconf that includes the
  project's URLs (so it goes through exactly the same middleware);
- the QR page ``/check/c/<token>/`` and the API ``GET /api/v1/public/certificates/<token>``, cycling over every
  certificate's token (each check writes its log row, as in production);
- the typed-number page ``/check/?number=<number>``, cycling over every certificate's number: each look-up also
  counts against the rate limit (one client address; the limits raised so that none is refused, so that the
  figure is the counter's cost and not a refusal page's);
- the first check of each certificate (its signature not yet verified in this process), once.

How: the WSGI application is called directly, as a WSGI server's worker does for each request (``environ`` in,
the response iterable consumed), one request after another in one thread — no socket, no HTTP parsing. That is
the strict comparison: transport costs would be the same for both views and only dilute the ratio. Database
connections persist between requests (``DB_CONN_MAX_AGE=600``, as a production deployment sets it; with 0
every request that touches the database would open a connection). DEBUG is off. Rounds alternate between the
views, and the median round of each is reported.

    python bench/bench_public_check.py --db sqlite|postgres [--certificates N] [--requests N] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
GOAL = "≥ 70 % of the bare view"
OWNERS = 100
BENCH_URLCONF = "bench_public_check_urls"


def _use_own_database() -> None:
    common.VAR = common.VAR / "public"
    common.PG_URL = common.PG_URL + "_public"


def build(count: int) -> list[str]:
    """The data of the module docstring; returns the certificates' tokens."""
    import secrets

    from django.utils import timezone

    from jiliang.catalog.models import CatalogItem
    from jiliang.core.models import Organization, Region, Role, User
    from jiliang.instruments.models import Instrument
    from jiliang.metrology import signing, uscc
    from jiliang.verification import keys
    from jiliang.verification.formats import documents
    from jiliang.verification.models import Certificate, CertificateRevocation, VerificationRecord

    city = Region.objects.create(code="210900", name="基准市", level=Region.Level.CITY)
    county = Region.objects.create(code="210921", name="基准县", level=Region.Level.COUNTY, parent=city)
    serial = iter(range(1, 10**6))

    def org(name: str, kind: str, region: Region) -> Organization:
        return Organization(
            name=name, kind=kind, region=region, credit_code=uscc.make_code("91210900", f"{next(serial):08d}X")
        )

    institute = org("基准市计量检定测试所", Organization.Kind.INSTITUTE, city)
    institute.short_code = "JZJL"
    owners = [org(f"基准县第{n + 1}农贸市场有限公司", Organization.Kind.OWNER, county) for n in range(OWNERS)]
    Organization.objects.bulk_create([institute, *owners])
    staff = User.objects.create(username="bench_institute", role=Role.INSTITUTE, organization=institute)
    item = CatalogItem.objects.get(code="02")
    instruments = Instrument.objects.bulk_create(
        Instrument(
            owner=owners[n % OWNERS],
            region=county,
            catalog_item=item,
            usage="trade",
            name="电子计价秤",
            model="ACS-15",
            manufacturer="基准衡器厂",
            serial_number=f"BENCH-{n + 1:06d}",
        )
        for n in range(count)
    )
    today = timezone.localdate()
    records = VerificationRecord.objects.bulk_create(
        VerificationRecord(
            instrument=i,
            institute=institute,
            source=VerificationRecord.Source.DECLARED,
            performed_on=today - timedelta(days=30),
            conclusion=VerificationRecord.Conclusion.PASS,
            next_due_on=today + timedelta(days=335),
        )
        for i in instruments
    )
    key = keys.signing_key()
    certificates: list[Certificate] = []
    previous: Certificate | None = None
    for n, record in enumerate(records):
        record.instrument.owner = owners[n % OWNERS]
        record.institute = institute
        # Every 20th certificate is expired; every 10th (from the 5th) supersedes the one before it.
        valid_until = date(2020, 1, 1) if n % 20 == 19 else record.next_due_on
        supersedes = previous if n % 10 == 5 else None
        number = f"JZJL-{today.year}-JD-{n + 1:06d}"
        token = secrets.token_urlsafe(24)
        document = documents.certificate_document(
            number=number,
            kind=Certificate.Kind.VERIFICATION,
            issued_on=today,
            valid_until=valid_until,
            token=token,
            record=record,
            points=[],
            uses=[],
            supersedes=supersedes,
        )
        signed = signing.sign_document(document, key)
        certificate = Certificate(
            number=number,
            kind=Certificate.Kind.VERIFICATION,
            record=record,
            institute=institute,
            owner=record.instrument.owner,
            region=county,
            instrument=record.instrument,
            year=today.year,
            sequence=n + 1,
            issued_on=today,
            valid_until=valid_until,
            token=token,
            supersedes=supersedes,
            document=document,
            signature=signed["signature"]["value"],
            key_id=signed["signature"]["key_id"],
            issued_at=timezone.now(),
            issued_by=staff,
        )
        # Saved one by one: a superseding certificate needs the id of the one it replaces.
        certificate.save()
        certificates.append(certificate)
        previous = certificate
    revocations = []
    for c in certificates[7::20]:
        # Signed, as certificate_revoke signs them: the public check believes only a signed revocation.
        revoked_at = timezone.now()
        document = documents.revocation_document(certificate=c, revoked_at=revoked_at)
        signature, key_id = signing.sign_canonical(document, key)
        revocations.append(
            CertificateRevocation(
                certificate=c,
                reason="基准测试",
                revoked_at=revoked_at,
                revoked_by=staff,
                document=document,
                signature=signature,
                key_id=key_id,
            )
        )
    CertificateRevocation.objects.bulk_create(revocations)
    return [c.token for c in certificates]


def install_bench_urls() -> None:
    """A URLconf of the project's URLs plus ``/bench/bare/`` (just before the portal's include, which holds
    ``/check/``), as a module the settings can name."""
    import types

    from django.contrib.auth.decorators import login_not_required
    from django.http import HttpResponse
    from django.test.utils import override_settings
    from django.urls import clear_url_caches, path

    import jiliang.urls
    from jiliang.portal import urls as portal_urls

    @login_not_required
    def bare(request):
        return HttpResponse("ok", content_type="text/plain")

    # Next to the portal's include (the public check), so that both are resolved after trying the same patterns.
    patterns = list(jiliang.urls.urlpatterns)
    at = next(n for n, p in enumerate(patterns) if getattr(p, "urlconf_name", None) is portal_urls)
    patterns.insert(at, path("bench/bare/", bare))
    module = types.ModuleType(BENCH_URLCONF)
    module.urlpatterns = patterns
    sys.modules[BENCH_URLCONF] = module
    override_settings(ROOT_URLCONF=BENCH_URLCONF).enable()
    clear_url_caches()


def make_client():
    """A function that runs one GET through the WSGI application and returns (status, body)."""
    from wsgiref.util import setup_testing_defaults

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    base: dict = {}
    setup_testing_defaults(base)
    base.update({"SERVER_NAME": "localhost", "HTTP_HOST": "localhost", "REMOTE_ADDR": "10.0.0.1"})
    state = {}

    def start_response(status, headers, exc_info=None):
        state["status"] = status

    def get(path: str) -> tuple[int, bytes]:
        environ = dict(base)
        environ["PATH_INFO"], _, environ["QUERY_STRING"] = path.partition("?")
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        return int(state["status"][:3]), body

    return get


def rate(get, paths: list[str], n: int) -> float:
    """Requests per second of ``n`` GETs cycling over ``paths``."""
    start = time.perf_counter()
    for k in range(n):
        get(paths[k % len(paths)])
    return n / (time.perf_counter() - start)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--certificates", type=int, default=300)
    parser.add_argument("--requests", type=int, default=600, help="requests per round and view")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    _use_own_database()
    os.environ["DB_CONN_MAX_AGE"] = "600"
    os.environ["DEBUG"] = "0"
    # One client address types every number: no refusals, so the typed page is timed with its counter.
    for name in (
        "JILIANG_PUBLIC_CHECK_PER_MINUTE",
        "JILIANG_PUBLIC_CHECK_PER_DAY",
        "JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY",
    ):
        os.environ[name] = str(10**9)
    common.setup_django(args.db)

    from django.conf import settings
    from django.db import connection

    from jiliang.portal.selectors import forget_signatures
    from jiliang.portal.views import forget_pages
    from jiliang.verification.models import Certificate, PublicCheck

    assert not settings.DEBUG
    start = time.perf_counter()
    tokens = build(args.certificates)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    common.report("build: certificates", len(tokens), "rows")
    common.report("build: time", time.perf_counter() - start, "s")

    install_bench_urls()
    get = make_client()
    pages = [f"/check/c/{t}/" for t in tokens]
    api = [f"/api/v1/public/certificates/{t}" for t in tokens]
    bare = ["/bench/bare/"]
    numbers = [f"/check/?number={n}" for n in Certificate.objects.order_by("pk").values_list("number", flat=True)]

    # Every answer is right before anything is timed.
    statuses = {get(p)[0] for p in pages[:50]} | {get(p)[0] for p in api[:50]}
    assert statuses == {200}, statuses
    assert {get(p)[0] for p in numbers[:50]} == {200}
    assert get(bare[0]) == (200, b"ok")
    assert "数字签名有效".encode() in get(pages[0])[1]
    # Every certificate, revocation and supersession verifies (none answers signature_failed).
    assert not [p for p in pages if b"banner s-signature_failed" in get(p)[1]]
    forget_signatures()
    forget_pages()

    # The first check of each certificate verifies its signature (three small queries more) and renders its page.
    cold = rate(get, pages, len(pages))
    common.report("QR page, first check of each certificate (signature verified, page rendered)", cold, "req/s")

    logged = PublicCheck.objects.count()

    def unrendered(path: str):
        # A page nobody asked for with this answer lately: rendered from the template.
        forget_pages()
        return get(path)

    results: dict[str, list[float]] = {"bare": [], "page": [], "render": [], "api": [], "number": []}
    for _ in range(args.rounds):
        results["bare"].append(rate(get, bare, args.requests))
        results["page"].append(rate(get, pages, args.requests))
        results["api"].append(rate(get, api, args.requests))
        results["number"].append(rate(get, numbers, args.requests))
        results["render"].append(rate(unrendered, pages, args.requests))
        # Rendered again for the next round's QR page figures (each check logged; not timed).
        rate(get, pages, len(pages))
    logged = PublicCheck.objects.count() - logged
    assert logged == args.rounds * (4 * args.requests + len(pages)), logged

    bare_rate = statistics.median(results["bare"])
    common.report("bare Django view", bare_rate, "req/s", baseline=f"median of {args.rounds} rounds")
    for name, label in (
        ("page", "QR page /check/c/<token>/"),
        ("render", "QR page, rendered every time"),
        ("api", "API /api/v1/public/certificates/<token>"),
        ("number", "typed number /check/?number= (rate limit counted)"),
    ):
        value = statistics.median(results[name])
        common.report(label, value, "req/s")
        common.report(f"{label}: share of the bare view", 100 * value / bare_rate, "%", goal=GOAL)
    common.report("log rows written while timed", logged, "rows")

    # Where a check's time goes, each part alone (p50 of single calls), beside the bare view's whole request.
    from django.template.loader import render_to_string
    from django.utils import timezone

    from jiliang.portal import selectors, services

    token = tokens[0]
    found = selectors.certificate_by_token(token)
    answer = selectors.public_answer(found, timezone.localdate())
    parts = (
        ("bare view, whole request", lambda: get(bare[0])),
        ("part: the certificate's query", lambda: selectors.certificate_by_token(token)),
        ("part: the answer (status, masking, cached signature)", lambda: selectors.public_answer(found, date.today())),
        ("part: the log INSERT", lambda: services.check_log(via="api", certificate=found, result="valid", client="x")),
        ("part: the rate-limit counter", lambda: services.number_lookup(client="x", number="JZJL-2026-JD-000001")),
        ("part: rendering the page", lambda: render_to_string("portal/token.html", {"answer": answer})),
    )
    for label, fn in parts:
        p50, _p95 = common.p50_p95(common.timed(fn, repeat=300, warmup=20))
        common.report(label, p50 * 1e6, "µs")
    one, five, _ = os.getloadavg()
    print(f"(in-process WSGI calls, one thread; load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
