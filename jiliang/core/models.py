"""Regions, organizations, users with one role each, API tokens and the append-only audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.errors import DomainError
from jiliang.core.names import display_name, full_name
from jiliang.metrology import uscc

if TYPE_CHECKING:
    # The stubs' name for what gettext_lazy returns.
    from django.utils.functional import _StrPromise

# --- shared by every app's models ----------------------------------------------------------------------------------


def optional_fk(
    to: type[models.Model] | str,
    verbose_name: str | _StrPromise | None = None,
    *,
    related_name: str | None = None,
    on_delete: Any = models.PROTECT,
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A foreign key that may stay empty (NULL in the table, blank in forms) and, unless told otherwise, protects
    the row it points to. Deconstructs exactly like the ``ForeignKey(..., null=True, blank=True, ...)`` it stands
    for, so the migrations do not see it."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


_W = TypeVar("_W", bound="WriteOnceModel")


class WriteOnceQuerySet(models.QuerySet[_W], Generic[_W]):
    """Refuses bulk UPDATE and DELETE with the model's own error (the rows are written once)."""

    def update(self, **kwargs: Any) -> int:
        raise self.model.edit_refused()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.model.edit_refused()


class WriteOnceModel(models.Model):
    """A row that is written once: ``save()`` on an existing row, ``delete()`` and the queryset's bulk ``update()``
    and ``delete()`` raise ``edit_refused()``. A model that takes one later change allows it in ``may_resave``."""

    objects = WriteOnceQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not self.may_resave(kwargs.get("update_fields")):
            raise self.edit_refused()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.edit_refused()

    @classmethod
    def edit_refused(cls) -> DomainError:
        """The error an edit or a deletion raises."""
        raise NotImplementedError

    def may_resave(self, update_fields: Any) -> bool:
        """Whether a row already stored may be saved again with these ``update_fields``: never, by default."""
        return False


class Region(models.Model):
    """A city or one of its counties/districts (a tree; the demo city has two levels)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = optional_fk("self", _("上级"), related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")

    def __str__(self) -> str:
        return self.name


def validate_credit_code(value: str) -> None:
    reason = uscc.explain(value)
    if reason is not None:
        raise ValidationError(_("统一社会信用代码无效：%(reason)s"), params={"reason": reason}, code="uscc")


class Organization(models.Model):
    class Kind(models.TextChoices):
        REGULATOR = "regulator", _("监管部门")
        INSTITUTE = "institute", _("检定机构")
        OWNER = "owner", _("使用单位")
        MANUFACTURER = "manufacturer", _("制造单位")

    class Category(models.TextChoices):
        """What an owner is; decides which instruments it typically holds and which fee waivers apply."""

        MARKET_FAIR = "market_fair", _("集贸市场")
        SUPERMARKET = "supermarket", _("商场超市")
        PETROL_STATION = "petrol_station", _("加油（气）站")
        HOSPITAL = "hospital", _("医院")
        TOWNSHIP_CLINIC = "township_clinic", _("乡镇卫生院")
        COMMUNITY_CLINIC = "community_clinic", _("社区卫生服务中心")
        GLASSES_SHOP = "glasses_shop", _("眼镜店")
        TAXI_COMPANY = "taxi_company", _("出租汽车公司")
        FACTORY = "factory", _("工业企业")
        UTILITY = "utility", _("供水供气供电企业")
        SCHOOL = "school", _("学校")
        GOVERNMENT = "government", _("机关事业单位")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    category = models.CharField(_("行业类别"), max_length=32, choices=Category.choices, default=Category.OTHER)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    # A short code used as the prefix of certificate numbers issued by an institute.
    short_code = models.CharField(_("简码"), max_length=16, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    # An owner with a laboratory of its own (calibrates in-house); only such an owner declares its capabilities
    # (企业计量技术能力自我声明).
    has_lab = models.BooleanField(_("有实验室/校准能力"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [models.Index(fields=["kind", "region"], name="org_kind_region_idx")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    REGULATOR = "regulator", _("监管")
    INSTITUTE = "institute", _("检定机构")
    OWNER = "owner", _("使用单位")
    ADMIN = "admin", _("平台管理员")


# Which organization kind each role must belong to; an admin belongs to none.
ROLE_ORGANIZATION_KIND = {
    Role.REGULATOR: Organization.Kind.REGULATOR,
    Role.INSTITUTE: Organization.Kind.INSTITUTE,
    Role.OWNER: Organization.Kind.OWNER,
}


class User(AbstractUser):
    """A person with exactly one role, bound to one organization (admins to none)."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.OWNER)
    organization = optional_fk(Organization, _("所属单位"), related_name="users")

    class Meta(AbstractUser.Meta):
        # The stubs type the abstract Meta's names as str; Django takes a lazy translation, as on every model.
        verbose_name = _("用户")  # type: ignore[assignment]
        verbose_name_plural = _("用户")  # type: ignore[assignment]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(organization__isnull=False),
                name="user_non_admin_has_organization",
            )
        ]

    def __str__(self) -> str:
        return display_name(self)

    def get_full_name(self) -> str:
        """Family name first without a space for a Chinese name ("谢芳"), "Given Family" otherwise
        (:func:`jiliang.core.names.full_name`); Django's own joins "first last" with a space."""
        return full_name(self.last_name, self.first_name)


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest is stored; the token itself is shown once.

    A token works until ``expires_at`` and until it is revoked; it is revoked when its user's password changes or
    the user is deactivated (``jiliang.core.accounts``), and at its first use after expiry.
    """

    class RevokeReason(models.TextChoices):
        MANUAL = "manual", _("手动吊销")
        PASSWORD_CHANGED = "password_changed", _("密码已修改")
        DEACTIVATED = "deactivated", _("用户已停用")
        EXPIRED = "expired", _("已过期")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("吊销原因"), max_length=20, choices=RevokeReason.choices, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoke_reason="")
                | models.Q(revoked_at__isnull=False) & ~models.Q(revoke_reason=""),
                name="apitoken_revoked_with_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def status(self) -> str:
        """What the token is now: "revoked", "expired" or "active"."""
        from .clock import now

        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now() else "active"


class AuditEvent(models.Model):
    """One change made through the service layer. Append-only and hash-chained: each event stores the hash of
    the one before it, so an edit or a deletion in the middle breaks the chain (``manage.py audit_verify``)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = optional_fk(User, _("操作人"))
    actor_repr = models.CharField(_("操作人"), max_length=200)
    action = models.CharField(_("操作"), max_length=100)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_type}#{self.object_id}"


class HolidayYear(models.Model):
    """One year of the working-day calendar, as the State Council General Office's notice (国务院办公厅关于
    YYYY 年部分节假日安排的通知) announces it: its holiday blocks and its adjusted workdays (调休上班), with where
    the notice was seen and how sure we are. Maintained by the administrator in the admin (every change audited);
    seeded from ``jiliang/metrology/data/holidays_cn.json``. The statutory clocks read these rows through
    ``jiliang.core.calendar.work_calendar``; a year not here, or not confirmed, makes a deadline provisional.
    """

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认（见到通知全文）")
        UNCONFIRMED = "unconfirmed", _("未确认（暂定）")

    year = models.PositiveSmallIntegerField(_("日历年份"), unique=True)
    holidays = models.JSONField(
        _("放假安排"),
        default=list,
        blank=True,
        help_text=_('每段假期一项，含假期内的周末，如 [{"name": "春节", "from": "2027-02-05", "to": "2027-02-11"}]'),
    )
    workdays = models.JSONField(
        _("调休上班日"), default=list, blank=True, help_text=_('周六或周日上班的日期，如 ["2027-02-13"]')
    )
    notice = models.CharField(_("通知标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    seen_in = models.TextField(_("所见出处"), blank=True, help_text=_("在哪里见到通知全文（网址或文件）"))
    confidence = models.CharField(_("可信度"), max_length=16, choices=Confidence.choices)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100), name="holiday_year_range"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__in=["confirmed", "unconfirmed"]), name="holiday_year_confidence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_confidence_display()}"

    def as_data(self) -> dict[str, Any]:
        """The year in the shape of ``holidays_cn.json``'s entries, for ``metrology.draw.calendar_from_data``."""
        return {
            "notice": self.notice,
            "document_number": self.document_number or None,
            "published": self.published.isoformat() if self.published else None,
            "seen_in": self.seen_in,
            "confidence": self.confidence,
            "note": self.note,
            "holidays": self.holidays,
            "workdays": self.workdays,
        }

    def clean(self) -> None:
        """The checks of ``calendar_from_data`` (dates inside the year, ranges in order, adjusted workdays on a
        weekend and not on a holiday), reported on the fields of the admin's form."""
        from jiliang.metrology.draw import calendar_from_data

        if not isinstance(self.holidays, list) or not all(
            isinstance(b, dict) and {"from", "to"} <= set(b) for b in self.holidays
        ):
            raise ValidationError(
                {"holidays": _('每段假期应写成 {"name": "…", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}')}
            )
        if not isinstance(self.workdays, list) or not all(isinstance(d, str) for d in self.workdays):
            raise ValidationError({"workdays": _('调休上班日应写成日期列表，如 ["2027-02-13"]')})
        if self.confidence == self.Confidence.CONFIRMED and not self.seen_in.strip():
            raise ValidationError({"seen_in": _("已确认的年份须注明在哪里见到通知全文")})
        if self.year is None:
            return
        try:
            calendar_from_data({"years": {str(self.year): self.as_data()}})
        except (ValueError, TypeError, KeyError) as exc:
            field = "workdays" if "workday" in str(exc) else "holidays"
            raise ValidationError({field: _("节假日安排有误：%(error)s") % {"error": exc}}) from exc
