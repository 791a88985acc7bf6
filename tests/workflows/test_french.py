"""One French formatter: dates, periods, months, money, past deadlines, the greeting."""

from __future__ import annotations

import datetime as dt

from workflows import french, messages
from workflows.calendar import PARIS


def test_dates_and_periods_read_as_french():
    assert french.day(dt.date(2026, 12, 1)) == "1er décembre"
    assert french.day(dt.date(2026, 12, 1), weekday=True, year=True) == "mardi 1er décembre 2026"
    assert french.day(dt.date(2026, 11, 26), weekday=True) == "jeudi 26 novembre"
    assert french.period(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == (
        "du 28 décembre 2026 au 3 janvier 2027"
    )
    assert french.period(dt.date(2026, 11, 28), dt.date(2026, 12, 3)) == (
        "du 28 novembre au 3 décembre 2026"
    )
    assert french.period(dt.date(2026, 12, 1), dt.date(2026, 12, 4)) == "du 1er au 4 décembre 2026"
    assert french.period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)) == "le 1er décembre 2026"


def test_months_and_money():
    assert f"consommations {french.of_month(dt.date(2026, 10, 1), year=False)}" == (
        "consommations d'octobre"
    )
    assert f"consommations {french.of_month(dt.date(2026, 11, 1))}" == (
        "consommations de novembre 2026"
    )
    assert french.of_month(dt.date(2026, 8, 1), year=False) == "d'août"
    assert french.euros(270) == "2,70 €"


def test_a_past_deadline_is_in_the_past_tense_with_one_colon():
    deadline = dt.datetime(2026, 11, 26, 9, 0, tzinfo=PARIS)
    text = messages.reason_fr("late", deadline=french.deadline(deadline), verb="réserver")
    assert text == "Délai dépassé : il fallait réserver avant le jeudi 26 novembre à 9h00."
    assert text.count(":") == 1
    assert french.past_deadline("cancel", deadline) == (
        "Délai dépassé : il fallait annuler avant le jeudi 26 novembre à 9h00."
    )


def test_the_greeting_names_the_family_and_never_twice():
    assert french.household_greeting("Martin") == "Bonjour, famille Martin"
    assert french.household_greeting("Famille Martin") == "Bonjour, famille Martin"
    assert french.household_greeting("Nouvelle famille") == "Bonjour"
    assert french.household_greeting("") == "Bonjour"
