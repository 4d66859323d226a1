"""The navigation menu: every app declares its own entries here, and core draws them without importing any app.

An app lists its entries in its own ``nav.py`` with :func:`register`; :class:`~jiliang.core.apps.CoreConfig` imports
every app's ``nav`` module when the project starts (``autodiscover_modules("nav")``, as the admin finds ``admin.py``).
An entry names its page by URL name, the roles that see it, its group and its place in the group, and optionally a
badge: a function of the user that returns a count (the unread messages).

The menu shows the groups in the order of :class:`Group`, each only when the user has an entry in it; the home page
comes first, outside any group. Core's own entries (the home page, the admin site) are declared at the end of this
module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role, User
from .selectors import scope_of


class Group(models.TextChoices):
    """The menu's areas, in the order they are shown."""

    INSTRUMENTS = "instruments", _("器具与检定")
    STANDARDS = "standards", _("标准与溯源")
    SUPERVISION = "supervision", _("监督执法")
    COMPLAINTS = "complaints", _("投诉举报")
    INTEGRITY = "integrity", _("诚信计量")
    ENERGY = "energy", _("能源计量")
    PLANNING = "planning", _("规划与预警")
    SYSTEM = "system", _("系统")


ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Entry:
    """One menu entry. ``group`` None puts it above the groups (the home page); ``order`` sorts it within its group.
    ``exact``: the entry is the current page only at its own address, not at the addresses below it.
    ``when``: a further condition on the user beyond the role (an owner with a laboratory), None for none."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]
    group: Group | None
    order: int
    badge: Callable[[User], int] | None = None
    exact: bool = False
    when: Callable[[User], bool] | None = None


@dataclass(frozen=True)
class Item:
    """An entry as one user sees it on one page."""

    label: str
    url: str
    active: bool
    badge: int | None


_registry: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    """Add entries to the menu (an entry registered again under the same URL name replaces the first)."""
    for entry in entries:
        _registry[entry.url_name] = entry


def _sort_key(entry: Entry) -> tuple[int, int]:
    group = -1 if entry.group is None else list(Group).index(entry.group)
    return group, entry.order


def visible_entries(user: User | None) -> list[Entry]:
    """The entries the user's role sees, in menu order; none for an anonymous visitor or a user without a role."""
    role = scope_of(user).role
    if not role:
        return []
    assert user is not None  # a user without a role was answered above
    shown = (e for e in _registry.values() if role in e.roles and (e.when is None or e.when(user)))
    return sorted(shown, key=_sort_key)


def current_url(path: str, entries: Iterable[tuple[Entry, str]]) -> str | None:
    """The address of the entry for the page at ``path``: the longest entry address the path starts with (so the
    import page under the registry's prefix marks only the import entry).

    >>> home = Entry("首页", "home", ALL_ROLES, None, 0, exact=True)
    >>> listing = Entry("计量器具", "list", ALL_ROLES, Group.INSTRUMENTS, 10)
    >>> upload = Entry("批量导入", "import", ALL_ROLES, Group.INSTRUMENTS, 20)
    >>> pairs = [(home, "/"), (listing, "/instruments/"), (upload, "/instruments/import/")]
    >>> current_url("/instruments/import/", pairs), current_url("/instruments/7/", pairs), current_url("/", pairs)
    ('/instruments/import/', '/instruments/', '/')
    >>> current_url("/accounts/tokens/", pairs) is None
    True
    """
    matches = [url for entry, url in entries if path == url or (not entry.exact and path.startswith(url))]
    return max(matches, key=len, default=None)


@lru_cache(maxsize=512)
def _address(url_name: str, prefix: str, urlconf: str) -> str:
    """An entry's address, reversed once per URL configuration and script prefix (an entry takes no arguments, and
    reversing the menu's dozen names on every page cost more than drawing it)."""
    return reverse(url_name, urlconf=urlconf)


def address(url_name: str) -> str:
    """The address of an entry's page for the current request's URL configuration and script prefix."""
    return _address(url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def menu(user: User, path: str) -> list[tuple[Group | None, list[Item]]]:
    """The user's menu on the page at ``path``: (group, items) in order, the home page's group None first."""
    pairs = [(entry, address(entry.url_name)) for entry in visible_entries(user)]
    current = current_url(path, pairs)
    groups: list[tuple[Group | None, list[Item]]] = []
    for entry, url in pairs:
        item = Item(
            label=str(entry.label),
            url=url,
            active=url == current,
            badge=entry.badge(user) if entry.badge else None,
        )
        if groups and groups[-1][0] == entry.group:
            groups[-1][1].append(item)
        else:
            groups.append((entry.group, [item]))
    return groups


register(
    Entry(_("首页"), "home", ALL_ROLES, None, 0, exact=True),
    Entry(_("系统管理"), "admin:index", frozenset({Role.ADMIN}), Group.SYSTEM, 90),
)
