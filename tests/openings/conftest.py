"""An opening of a summer centre, in its collection window (see workflows/opening_demo)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.calendar import PARIS
from workflows.opening_demo import summer_centre, summer_opening

from .. import factories as f

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)  # a Tuesday
AFTER = dt.datetime(2026, 11, 27, 18, 5, tzinfo=PARIS)  # the Friday, past 18:00


@pytest.fixture
def town(app):
    return f.town()


@pytest.fixture
def centre(town):
    return summer_centre(town, capacity=3)


@pytest.fixture
def opening(town, centre):
    return summer_opening(town, centre[1], now=NOW)
