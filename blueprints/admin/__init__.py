"""Flask-Admin for staff, built inside the factory (one Admin per app, fresh views each
time, so tests can build several apps).

security.py   who may enter, and the CSRF token the forms carry
scope.py      the condition that keeps a staff member inside their own town
base.py       the base model screen (one town, French dates, scoped forms)
worklist.py   the approvers' worklist and its batch decisions
families.py, catalogue.py, bookings.py, history.py   the plain screens, by area
accounts.py   households' logins, enrolment requests, the family change history
billing.py    the billing office's model screens (prices, invoices, payments…)
invoicing.py  the billing office's month: invoicing runs, balances, payments, credit notes
content.py, content_forms.py, content_review.py   news, pages, menus and documents, their
              folders and the reviewers' worklist "À relire"
town.py       the town's settings, its school years, and the portal's towns (super-admin)
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user

from models import (
    Account,
    AuditEntry,
    Booking,
    Child,
    Closure,
    Enrolment,
    Guardian,
    Household,
    Request,
    RequestLine,
    Service,
    Site,
    Unit,
    WorkflowHistory,
)
from workflows import decisions

from . import accounts, billing, content, jobs, journal, kitchen, openings, staff_accounts, town
from .bookings import BookingView, RequestLineView, RequestView
from .catalogue import ClosureView, EnrolmentView, ServiceView, SiteView, UnitView
from .families import AccountView, ChildView, GuardianView, HouseholdView
from .history import AuditView, WorkflowHistoryView
from .security import StaffOnly, may
from .worklist import WorklistView

SCREENS = [
    (HouseholdView, Household, "Foyers", "Familles", "foyers"),
    (GuardianView, Guardian, "Responsables légaux", "Familles", "responsables"),
    (ChildView, Child, "Enfants", "Familles", "enfants"),
    (EnrolmentView, Enrolment, "Inscriptions", "Familles", "inscriptions"),
    (ServiceView, Service, "Services", "Offre", "services"),
    (SiteView, Site, "Structures", "Offre", "structures"),
    (UnitView, Unit, "Prestations", "Offre", "prestations"),
    (ClosureView, Closure, "Fermetures", "Offre", "fermetures"),
    (RequestView, Request, "Demandes", "Réservations", "demandes"),
    (RequestLineView, RequestLine, "Lignes de demande", "Réservations", "lignes"),
    (BookingView, Booking, "Réservations", "Réservations", "reservations"),
    (WorkflowHistoryView, WorkflowHistory, "Journal des décisions", "Réservations", "journal"),
    (AccountView, Account, "Comptes", None, "comptes"),
    (AuditView, AuditEntry, "Journal des modifications", None, "audit"),
]


class StaffIndexView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self):
        pending = None
        if may("admin_worklist"):
            pending = decisions.worklist(
                current_user.actor, stale_after=current_app.config["STALE_AFTER"]
            ).count()
        town = current_user.account.town
        return self.render(
            "admin/index.html", pending=pending, town_name=town.name if town else "", may=may
        )


def init_app(app: Flask) -> None:
    admin = Admin(
        app,
        name="Portail Famille – agents",
        theme=Bootstrap4Theme(base_template="admin/portail_base.html"),
        index_view=StaffIndexView(name="Accueil", url="/admin"),
        # Flask-Admin's French, completed where its catalogue lacks a message
        translations_path=str(Path(__file__).with_name("translations")),
    )
    admin.add_view(
        WorklistView(
            name="Demandes à traiter", endpoint="admin_worklist", url="/admin/demandes-a-traiter"
        )
    )
    for view, model, name, category, slug in SCREENS:
        admin.add_view(
            view(
                model,
                name=name,
                category=category,
                endpoint=f"admin_{model.__name__.lower()}",
                url=f"/admin/{slug}",
            )
        )
    billing.register(admin, app)
    accounts.register(admin, app)
    content.register(admin, app)  # news, pages, menus, documents; "À relire"
    kitchen.register(admin, app)  # meal counts, staff API tokens
    openings.register(admin, app)  # limited places: rules, then a verifiable draw
    jobs.register(admin, app)  # queues, workers, timer, failed jobs
    journal.register(admin, app)  # history and audit in one list
    staff_accounts.register(admin, app)  # Agents: invite, deactivate, reset the second factor
    town.register(admin, app)  # the town's settings and school years; the portal's towns
    app.extensions["portail_admin"] = admin
