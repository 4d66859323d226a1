from datetime import date

import pytest

from jiliang.core import clock

from ..builders.supervision import Supervision, build_supervision


@pytest.fixture
def world(city) -> Supervision:
    with clock.travel(date(2026, 11, 20)):
        return build_supervision(city)
