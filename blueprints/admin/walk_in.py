"""« Tarifs sans réservation »: the billing office sets, per unit, the price of a child who
came without a booking (empty: the unit's usual price)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import transaction
from workflows import attendance, pricing

from .scope import town_units
from .security import StaffOnly, town_id


class WalkInPriceView(StaffOnly, BaseView):
    @expose("/", methods=["GET", "POST"])
    def index(self):
        units = town_units(town_id())
        if request.method == "POST":
            try:
                wanted = {}
                for u in units:
                    raw = request.form.get(f"unit-{u.id}", "").strip()
                    wanted[u.id] = pricing.euros_to_cents(raw) if raw else None
                with transaction():  # all or nothing
                    for unit_id, cents in wanted.items():
                        attendance.set_walk_in_price(current_user.actor, town_id(), unit_id, cents)
            except attendance.AttendanceError as e:
                flash(e.message_fr, "error")
            except (ValueError, ArithmeticError):
                flash("Montant illisible.", "error")
            else:
                flash("Tarifs enregistrés.", "success")
                return redirect(url_for(".index"))
        prices = attendance.walk_in_prices(town_id())
        return self.render("admin/walk_in.html", units=units, prices=prices)
