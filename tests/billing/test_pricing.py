"""Pricing rules, pure functions tested without a database: rounding written once, euros
typed by staff, the price book's tiers and periods."""

import datetime as dt
from decimal import Decimal

import pytest

from workflows import pricing


def test_rounding_is_half_up_and_written_once():
    assert pricing.round_cents(Decimal("10.5")) == 11
    assert pricing.round_cents(Decimal("10.49")) == 10
    assert pricing.share(1000, 1, 3) == 333 and pricing.share(1000, 2, 3) == 667
    assert pricing.euros_to_cents("12,50") == 1250
    with pytest.raises(ValueError):
        pricing.euros_to_cents("1.005")
    assert pricing.format_euros(123456) == "1\u202f234,56 €"


def test_price_book_tiers_periods_and_unknown_qf():
    rows = [
        pricing.PriceRow(1, 0, 600, 150, dt.date(2020, 1, 1), dt.date(2026, 8, 31)),
        pricing.PriceRow(1, 601, None, 390, dt.date(2020, 1, 1), dt.date(2026, 8, 31)),
        pricing.PriceRow(1, 0, 600, 160, dt.date(2026, 9, 1), None),
        pricing.PriceRow(1, 601, None, 400, dt.date(2026, 9, 1), None),
    ]
    book_ = pricing.PriceBook(rows)
    assert book_.price(1, 500, dt.date(2026, 8, 31)) == 150
    assert book_.price(1, 500, dt.date(2026, 9, 1)) == 160
    assert book_.price(1, None, dt.date(2026, 9, 1)) == 400  # no QF: highest tier
    assert book_.price(2, 500, dt.date(2026, 9, 1)) is None
