"""« Tarifs sans réservation »: the billing office sets, per unit, the price of a child who
came without a booking (empty: the unit's usual price)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import transaction
from workflows import attendance

from .fields import EurosField
from .scope import town_units
from .security import AdminForm, StaffOnly, town_id


def _form(units, prices: dict[int, int], formdata):
    """One EurosField per unit ("6,50"; empty: the unit's usual price)."""
    fields = {
        f"unit-{u.id}": EurosField(
            f"{u.site.name} – {u.label}",
            invalid="Montant illisible : indiquez un montant en euros, par exemple 6,50.",
        )
        for u in units
    }
    form_class = type("WalkInPriceForm", (AdminForm,), fields)
    return form_class(formdata, data={f"unit-{uid}": cents for uid, cents in prices.items()})


class WalkInPriceView(StaffOnly, BaseView):
    @expose("/", methods=["GET", "POST"])
    def index(self):
        units = town_units(town_id())
        prices = attendance.walk_in_prices(town_id())
        form = _form(units, prices, request.form if request.method == "POST" else None)
        if request.method == "POST":
            if not form.validate():
                flash("Montant illisible.", "error")
            else:
                try:
                    with transaction():  # all or nothing
                        for u in units:
                            cents = form[f"unit-{u.id}"].data
                            attendance.set_walk_in_price(current_user.actor, town_id(), u.id, cents)
                except attendance.AttendanceError as e:
                    flash(e.message_fr, "error")
                else:
                    flash("Tarifs enregistrés.", "success")
                    return redirect(url_for(".index"))
        return self.render("admin/walk_in.html", units=units, form=form)
