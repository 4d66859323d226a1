"""Shared personas: city regulator, county regulators A and B, an institute, owners A and B, anonymous.

The city has counties A and B. Owner A sits in county A, owner B in county B. Each owner has one instrument.

Also here, as every directory's tests may use them: the standards ``lab``, the verification ``bench`` (both built in
tests/builders/) and ``api``, the API called with a bearer token. Where other helpers go: tests/builders/__init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import settings as hypothesis_settings

from jiliang.core.api_auth import token_issue
from jiliang.core.models import Organization, Region, Role, User

from .builders.standards import Lab, build_lab
from .builders.verification import Bench, build_bench
from .factories import InstrumentFactory, OrganizationFactory, UserFactory, credit_code

# Shared machines are noisy: a property test must fail on a counterexample, never on a slow example.
hypothesis_settings.register_profile("jiliang", deadline=None)
hypothesis_settings.load_profile("jiliang")

PASSWORD = "pass-1234!"


@dataclass
class City:
    city: Region
    county_a: Region
    county_b: Region
    city_bureau: Organization
    bureau_a: Organization
    bureau_b: Organization
    institute: Organization
    owner_a: Organization
    owner_b: Organization
    city_regulator: User
    county_regulator_a: User
    county_regulator_b: User
    institute_user: User
    owner_a_user: User
    owner_b_user: User
    admin: User

    @property
    def personas(self) -> dict[str, User | None]:
        return {
            "city_regulator": self.city_regulator,
            "county_regulator_a": self.county_regulator_a,
            "county_regulator_b": self.county_regulator_b,
            "institute": self.institute_user,
            "owner_a": self.owner_a_user,
            "owner_b": self.owner_b_user,
            "anonymous": None,
        }


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    # The working-day calendar is cached per process; a test that changes HolidayYear rows is rolled back without
    # a signal, so each test starts from the rows in its own database.
    from jiliang.core import calendar

    calendar.forget()
    yield
    calendar.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(db) -> City:
    city = Region.objects.create(code="210900", name="阜新市", level=Region.Level.CITY)
    county_a = Region.objects.create(code="210921", name="甲县", level=Region.Level.COUNTY, parent=city)
    county_b = Region.objects.create(code="210922", name="乙县", level=Region.Level.COUNTY, parent=city)

    def org(name, kind, region, category=Organization.Category.OTHER):
        return OrganizationFactory(name=name, kind=kind, region=region, category=category, credit_code=credit_code())

    city_bureau = org("市市场监督管理局", Organization.Kind.REGULATOR, city)
    bureau_a = org("甲县市场监督管理局", Organization.Kind.REGULATOR, county_a)
    bureau_b = org("乙县市场监督管理局", Organization.Kind.REGULATOR, county_b)
    institute = org("市计量测试所", Organization.Kind.INSTITUTE, city)
    owner_a = org("甲县农贸市场", Organization.Kind.OWNER, county_a, Organization.Category.MARKET_FAIR)
    owner_b = org("乙县加油站", Organization.Kind.OWNER, county_b, Organization.Category.PETROL_STATION)

    def user(username, role, organization):
        return UserFactory(username=username, role=role, organization=organization)

    admin = UserFactory(username="admin", role=Role.ADMIN, organization=None, is_staff=True, is_superuser=True)
    return City(
        city=city,
        county_a=county_a,
        county_b=county_b,
        city_bureau=city_bureau,
        bureau_a=bureau_a,
        bureau_b=bureau_b,
        institute=institute,
        owner_a=owner_a,
        owner_b=owner_b,
        city_regulator=user("city_reg", Role.REGULATOR, city_bureau),
        county_regulator_a=user("county_reg_a", Role.REGULATOR, bureau_a),
        county_regulator_b=user("county_reg_b", Role.REGULATOR, bureau_b),
        institute_user=user("institute", Role.INSTITUTE, institute),
        owner_a_user=user("owner_a", Role.OWNER, owner_a),
        owner_b_user=user("owner_b", Role.OWNER, owner_b),
        admin=admin,
    )


@pytest.fixture
def instrument_a(city):
    return InstrumentFactory(owner=city.owner_a, serial_number="A-0001")


@pytest.fixture
def instrument_b(city):
    from .factories import catalog_item

    return InstrumentFactory(
        owner=city.owner_b, serial_number="B-0001", catalog_item=catalog_item("08"), name="燃油加油机"
    )


# ---- shared by the tests of several directories --------------------------------------------------------------------


@pytest.fixture
def lab(city) -> Lab:
    """Standards from NIM down to a county standard (tests/builders/standards.py, ``build_lab``)."""
    return build_lab(city)


@pytest.fixture
def bench(city, lab) -> Bench:
    """The city institute's verification workbench (tests/builders/verification.py)."""
    return build_bench(city, lab)


class ApiCaller:
    """The Django test client calling the API as one user, with a bearer token issued for it (none for None)."""

    def __init__(self, client, user: User | None) -> None:
        self.client = client
        self.headers = {} if user is None else {"authorization": f"Bearer {token_issue(user=user, actor=None)}"}

    def get(self, path: str, **params):
        """GET ``path`` with ``params`` as its query string (a query string in ``path`` is kept when none is given)."""
        return self.client.get(path, params or None, headers=self.headers)

    def post(self, path: str, json=None):
        """POST ``json`` as the JSON body; without one, an empty form body (as an action with no input is sent)."""
        if json is None:
            return self.client.post(path, headers=self.headers)
        return self.client.post(path, json, content_type="application/json", headers=self.headers)

    def post_form(self, path: str, data: dict):
        """POST ``data`` as multipart/form-data (a file upload)."""
        return self.client.post(path, data, headers=self.headers)

    def post_raw(self, path: str, body, content_type: str):
        """POST ``body`` as it is, with ``content_type``: for bodies no well-behaved client sends."""
        return self.client.post(path, body, content_type=content_type, headers=self.headers)


@pytest.fixture
def api(client):
    """``api(user).get(path, **params)``, ``.post(path, json)``: the API as ``user`` (None: without a token)."""

    def caller(user: User | None) -> ApiCaller:
        return ApiCaller(client, user)

    return caller
