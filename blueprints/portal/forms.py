"""Forms of the parents' screens. The CSRF token is checked for every POST by CSRFProtect;
these classes only read and check the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField
from wtforms.validators import InputRequired


class WeeklyTemplateForm(FlaskForm):
    """The "semaine type": a period and, per unit, the weekdays ticked as `j-<unit id>`
    (read from the request, since the units depend on the child)."""

    start = DateField("Du", validators=[InputRequired("Indiquez la date de début.")])
    end = DateField("Au", validators=[InputRequired("Indiquez la date de fin.")])
    action = RadioField(
        "Action",
        choices=[("book", "Réserver"), ("cancel", "Annuler")],
        default="book",
        validate_choice=True,
    )
