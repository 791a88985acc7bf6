"""The accessibility statement (déclaration d'accessibilité), in the structure RGAA 4.1
asks for: state of compliance, what was tested and how, known exceptions, contact and
recourse. Written from what the browser tests check (tests/browser)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from models import Town

from .blueprint import bp

# The pages the browser tests check with axe-core, at 390 px and 1280 px wide.
CHECKED_PAGES = (
    "l'accueil des familles",
    "le planning d'un enfant (vues mois et semaine)",
    "le panier et les demandes envoyées",
    "les factures, le détail d'une facture et les paiements",
    "les inscriptions et le compte de la famille",
    "les actualités, les menus et les pages publiques",
    "la connexion et la création de compte",
)


@bp.route("/accessibilite")
def accessibility():
    town = None
    if current_user.is_authenticated and getattr(current_user, "household", None):
        town = current_user.household.town
    town = town or Town.select().order_by(Town.id).first()
    return render_template("content/accessibility.html", town=town, pages=CHECKED_PAGES)
