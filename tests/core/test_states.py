"""core.states: the status a request names and whether a record may move to it."""

import pytest
from django.db import models

from jiliang.core.errors import DomainError
from jiliang.core.states import status_check_move, status_parse


class Light(models.TextChoices):
    ON = "on", "开"
    OFF = "off", "关"
    BROKEN = "broken", "坏"


MOVES = {Light.ON: {Light.OFF, Light.BROKEN}, Light.OFF: {Light.ON}, Light.BROKEN: set()}


def test_a_named_status_parses_to_its_member():
    assert status_parse(Light, "off") is Light.OFF


def test_an_unknown_status_is_an_error_on_the_status_field():
    with pytest.raises(DomainError) as caught:
        status_parse(Light, "dim")
    assert caught.value.errors == [("status", caught.value.message)]


def test_an_allowed_move_passes_and_a_refused_one_names_both_statuses():
    status_check_move(MOVES, Light.ON, Light.BROKEN)
    with pytest.raises(DomainError) as caught:
        status_check_move(MOVES, Light.BROKEN, Light.ON)
    assert "坏" in caught.value.message and "开" in caught.value.message
    assert caught.value.errors[0][0] == "status"
