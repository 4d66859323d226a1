from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import scope_of


def _item(request, label: str, url: str, *, exact: bool = False) -> dict:
    path = getattr(request, "path", "")
    active = path == url if exact else path.startswith(url)
    return {"label": label, "url": url, "active": active}


def navigation(request):
    """The navigation bar for the actor's role, and who the actor is; anonymous visitors get none."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    if not scope.role:
        return {"nav_items": []}
    items = [_item(request, _("首页"), reverse("home"), exact=True)]
    if scope.is_owner or scope.is_regulator or scope.is_admin:
        # "Import" sits under the registry's URL prefix; mark only one of the two as the current page.
        import_url = reverse("instruments:import")
        registry = _item(request, _("计量器具"), reverse("instruments:list"))
        registry["active"] = registry["active"] and not request.path.startswith(import_url)
        items.append(registry)
        items.append(_item(request, _("批量导入"), import_url))
    # The one window: owners file requests, institutes work them, regulators watch the limits.
    items.append(_item(request, _("检定申请"), reverse("requests:list")))
    items.append(_item(request, _("证书"), reverse("certificates:list")))
    if scope.is_owner:
        from jiliang.standards.views import NAV_DECLARATIONS

        items.append(_item(request, str(NAV_DECLARATIONS), reverse("coverage:declarations")))
    if scope.is_institute or scope.is_regulator or scope.is_admin:
        # Their labels live in the standards app's catalog (declared there with the pages they lead to).
        from jiliang.standards.views import NAV_COVERAGE, NAV_PEOPLE, NAV_STANDARDS

        items.append(_item(request, str(NAV_STANDARDS), reverse("standards:list")))
        items.append(_item(request, str(NAV_PEOPLE), reverse("people:list")))
        if scope.is_regulator or scope.is_admin:
            items.append(_item(request, str(NAV_COVERAGE), reverse("coverage:index")))
            items.append(_item(request, _("规划指标"), reverse("plans:list")))
        items.append(_item(request, _("计量预警"), reverse("warnings:list")))
    from jiliang.notices.selectors import unread_count

    notices = _item(request, _("消息"), reverse("notices:list"))
    notices["badge"] = unread_count(user)
    items.append(notices)
    if scope.is_admin:
        items.append(_item(request, _("系统管理"), reverse("admin:index")))
    organization = user.organization if user.organization_id else None
    return {
        "nav_items": items,
        "scope": scope,
        "current_user_name": user.get_full_name() or user.get_username(),
        "current_organization": organization,
        "current_role_label": user.get_role_display(),
    }
