"""Names in Chinese order without a space everywhere (issue 14, item 4): one helper, ``jiliang.core.names``, used by
``User.get_full_name`` and ``str(user)``, the top bar and its avatar, and every log that names who acted.

Django's own ``get_full_name`` joined "first last" with a space, which showed 谢芳 as "芳 谢".
"""

from __future__ import annotations

import doctest
import re

import pytest
from django.db import transaction
from django.urls import reverse

from jiliang.core import audit, names
from jiliang.indicators.models import Evaluation
from tests.builders.indicators import make_evaluation, take_snapshots

pytestmark = pytest.mark.django_db


def test_the_doctests_of_the_helper_pass():
    assert doctest.testmod(names).failed == 0


def name(user, family: str, given: str):
    user.last_name, user.first_name = family, given
    user.save(update_fields=["last_name", "first_name"])
    return user


def test_a_user_is_named_family_first_without_a_space_in_chinese_and_given_first_in_latin_letters(city):
    xie = name(city.city_regulator, "谢", "芳")
    assert xie.get_full_name() == "谢芳" and str(xie) == "谢芳" and names.display_name(xie) == "谢芳"
    assert name(city.owner_a_user, "许", "强丽").get_full_name() == "许强丽"
    assert str(name(city.owner_b_user, "Lovelace", "Ada")) == "Ada Lovelace"
    # No name stored: the login name, as before.
    assert str(city.institute_user) == "institute" and city.institute_user.get_full_name() == ""


def test_the_top_bar_and_its_avatar_show_the_name_in_chinese_order(client, city):
    client.force_login(name(city.city_regulator, "谢", "芳"))
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'<span class="user-name">谢芳 <span class="role-tag">', body)
    assert '<span class="user-avatar" aria-hidden="true">谢</span>' in body
    assert "芳 谢" not in body


def test_an_instruments_history_names_who_acted_in_chinese_order(client, city, instrument_a):
    regulator = name(city.city_regulator, "欧阳", "修")
    with transaction.atomic():
        audit.record(actor=regulator, action="instrument.update", obj=instrument_a, changes={"location": ["", "一楼"]})
    client.force_login(regulator)
    body = client.get(reverse("instruments:detail", args=[instrument_a.pk])).content.decode()
    assert "· 欧阳修</div>" in body and "修 欧阳" not in body


def test_the_evaluation_list_names_who_made_the_report_in_chinese_order(client, city):
    name(city.city_regulator, "谢", "芳")
    take_snapshots(city)
    make_evaluation(city)
    assert Evaluation.objects.get().created_by.get_full_name() == "谢芳"
    client.force_login(city.city_regulator)
    body = client.get(reverse("evaluations:list")).content.decode()
    assert '<span class="sub">谢芳</span>' in body and "芳 谢" not in body
