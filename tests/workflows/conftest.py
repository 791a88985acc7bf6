"""Fixtures of the workflow tests."""

from __future__ import annotations

import pytest

from .. import factories as f
from .school_year import TODAY


@pytest.fixture
def town_a(app):
    """A town of zone A, its school year the one of 23 November 2026."""
    return f.town(zone="A", today=TODAY)
