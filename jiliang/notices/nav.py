"""The messages' entry in the menu, with the count of unread notifications as its badge."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.nav import ALL_ROLES, Entry, Group, register

from .selectors import unread_count

register(Entry(_("消息"), "notices:list", ALL_ROLES, Group.SYSTEM, 10, badge=unread_count))
