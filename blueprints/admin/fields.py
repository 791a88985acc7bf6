"""Form fields the admin's forms share: an amount in euros typed the French way, and a date
(and a time) as the browser's own input (in the browser's language, Monday first in
French)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.fields import DateField, TimeField
from wtforms.widgets import DateInput, TimeInput

from workflows import pricing

BAD_DATE = "Date invalide : choisissez-la dans le calendrier."
BAD_AMOUNT = "Montant invalide : indiquez un montant en euros, par exemple 2,70."


class EurosField(StringField):
    """An amount in euros as typed in France ("2,70", "1 234,50"; "2.70" too). Its `data`
    is in cents (int), None when empty; it is shown back as "2,70". "abc", more than two
    decimals and (unless `negative`) an amount below zero are refused beside the field."""

    def __init__(
        self, label=None, validators=None, negative: bool = False, invalid: str = BAD_AMOUNT, **kw
    ) -> None:
        kw.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kw)
        self.negative, self.invalid = negative, invalid

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return pricing.format_euros(self.data).removesuffix(" €")

    def process_data(self, value) -> None:
        self.data = value

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            cents = pricing.euros_to_cents(text.removesuffix("€").strip())
        except (ValueError, ArithmeticError):
            self.data = None
            raise ValueError(self.invalid) from None
        if cents < 0 and not self.negative:
            self.data = None
            raise ValueError("Le montant doit être positif ou nul.")
        self.data = cents


class NativeDateField(DateField):
    """A date with the browser's date input (`<input type="date">`): the browser's own
    calendar, in its language (Monday first in French), no script needed."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, **kw) -> None:
        kw.setdefault("format", "%Y-%m-%d")
        kw.setdefault("invalid_value_message", BAD_DATE)
        super().__init__(label, validators, **kw)


class NativeTimeField(TimeField):
    """A time with the browser's time input (`<input type="time">`, 24 h in French)."""

    widget = TimeInput()

    def __init__(self, label=None, validators=None, **kw) -> None:
        kw.setdefault("format", ["%H:%M", "%H:%M:%S"])
        kw.setdefault("invalid_value_message", "Heure invalide : par exemple 09:00.")
        super().__init__(label, validators, **kw)
