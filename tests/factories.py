"""Factories for tests. Credit codes are generated valid (GB 32100 check character)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Organization, Region, Role, User
from jiliang.instruments.models import Instrument
from jiliang.metrology import uscc

_serial = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    return uscc.make_code("91210900", f"{n:08d}X")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"2109{n + 10:02d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Organization.Kind.OWNER
    category = Organization.Category.MARKET_FAIR
    credit_code = factory.LazyFunction(credit_code)
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OWNER
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-1234!")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def catalog_item(code: str) -> CatalogItem:
    """A row of the shipped catalog, loaded by migration (e.g. "02" price scale, "08" fuel dispenser)."""
    return CatalogItem.objects.get(code=code)


class InstrumentFactory(factory.django.DjangoModelFactory):
    """Builds rows directly (bypassing services) with the derived fields set by the same rule the services use."""

    class Meta:
        model = Instrument

    owner = factory.SubFactory(OrganizationFactory)
    region = factory.LazyAttribute(lambda o: o.owner.region)
    catalog_item = factory.LazyFunction(lambda: catalog_item("02"))
    usage = "trade"
    name = "电子计价秤"
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")
    # Not a model field: a date here becomes a declared verification record, the instrument's last valid one.
    # Valid for months to come whatever day the tests run (row 02 has a 12-month interval). None: never verified.
    last_verified_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        from jiliang.instruments.services import derive

        verified_on = kwargs.pop("last_verified_on", None)
        obj = model_class(*args, **kwargs)
        derive(obj, obj.catalog_item, verified_on)
        return obj

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db import transaction

        from jiliang.instruments import tally
        from jiliang.instruments.services import derive
        from jiliang.verification.models import VerificationRecord

        verified_on = kwargs.pop("last_verified_on", None)
        obj = model_class(*args, **kwargs)
        derive(obj, obj.catalog_item, verified_on)
        with transaction.atomic():
            obj.save()
            if verified_on is not None:
                obj.last_verification = VerificationRecord.objects.create(
                    instrument=obj,
                    kind="verification",
                    source=VerificationRecord.Source.DECLARED,
                    conclusion=VerificationRecord.Conclusion.PASS,
                    performed_on=verified_on,
                    next_due_on=obj.due_on,
                )
                obj.save(update_fields=["last_verification"])
            # Like every write path, keep the dashboard's due tally in step.
            tally.change(None, tally.key_of(obj))
        return obj


def wipe_instruments() -> None:
    """Delete every instrument with its verification records (a test's clean slate for a second seed).

    Records are never deleted by the application: their queryset refuses it, and a trigger does too (verification
    0002 on PostgreSQL, 0007 on SQLite). TRUNCATE is no row event on PostgreSQL; on SQLite a raw DELETE goes around
    the queryset, inside the maintenance context that lets a flush through the triggers.
    """
    from django.db import connection

    from jiliang.verification import immutable
    from jiliang.verification.models import VerificationRecord

    records = connection.ops.quote_name(VerificationRecord._meta.db_table)
    instruments = connection.ops.quote_name(Instrument._meta.db_table)
    with connection.cursor() as cursor, immutable.maintenance():
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {records}, {instruments} CASCADE")
        else:
            cursor.execute(f"UPDATE {instruments} SET last_verification_id = NULL")  # noqa: S608
            cursor.execute(f"DELETE FROM {records}")  # noqa: S608
            cursor.execute(f"DELETE FROM {instruments}")  # noqa: S608
