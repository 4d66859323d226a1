from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import scope_of


def navigation(request):
    """The navigation bar for the actor's role; anonymous visitors get none."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    if not scope.role:
        return {"nav_items": []}
    items = [(_("首页"), reverse("home"))]
    if scope.is_owner or scope.is_regulator or scope.is_admin:
        items.append((_("计量器具"), reverse("instruments:list")))
    if scope.is_owner or scope.is_regulator or scope.is_admin:
        items.append((_("批量导入"), reverse("instruments:import")))
    if scope.is_admin:
        items.append((_("系统管理"), reverse("admin:index")))
    return {"nav_items": items, "scope": scope}
