"""Staff screens of the households' accounts: invite households (one by one or from the town's
CSV file), decide enrolment requests, anonymise a household that has left, the household
change history, and the services open to online enrolment. `register(admin, app)` adds
them to the app's Flask-Admin."""

from __future__ import annotations

import csv
import io

from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from peewee import JOIN
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from models import Guardian, Household, Service
from models.accounts import EnrolmentOffer, HouseholdChange
from models.families import Account
from web import inputs
from workflows import (
    account_mails,
    accounts,
    enrolment_rules,
    enrolments,
    households,
    privacy,
    words,
)
from workflows.engine import WorkflowError

from ..auth import public_url
from .base import ReadOnlyModelView, TownModelView, date_fr
from .security import StaffOnly, town_id

MAX_CSV_BYTES = 2 * 1024 * 1024
DECISIONS_FR = {
    "accept": "acceptée(s)",
    "refuse": "refusée(s)",
    "queue": "mise(s) en attente",
    "admit": "admise(s)",
}


def _invite(guardian_ids: list[int]) -> int:
    """Give each guardian a login and write its e-mail to the outbox."""
    sent = 0
    for guardian in Guardian.select().where(Guardian.id.in_(guardian_ids)):
        try:
            households.invite_guardian(guardian)
        except accounts.AccountError as exc:
            flash(str(exc), "error")
            continue
        account_mails.invitation(guardian.id, public_url(), current_app.config["SECRET_KEY"])
        sent += 1
    return sent


class InvitationView(StaffOnly, BaseView):
    """Households of the town and their logins: invite, bulk invite from CSV, anonymise."""

    def _rows(self, search: str):
        q = (
            Household.select(Household, Guardian, Account)
            .join(
                Guardian,
                JOIN.LEFT_OUTER,
                on=((Guardian.household == Household.id) & Guardian.is_reference),
            )
            .join(Account, JOIN.LEFT_OUTER, on=(Guardian.account == Account.id))
            .where(Household.town == town_id())
            .order_by(Household.name)
            .limit(500)
        )
        for term in search.split():
            q = q.where((Household.name ** f"%{term}%") | (Guardian.email ** f"%{term}%"))
        rows = []
        for h in q:
            g = getattr(h, "guardian", None)
            account = getattr(g, "account", None) if g else None
            if account is None or account.id is None:
                status = "Aucun compte"
            elif account.is_active:
                status = "Compte actif"
            else:
                status = "Invitation envoyée"
            rows.append(
                {
                    "id": h.id,
                    "name": h.name,
                    "email": g.email if g else "",
                    "guardian_id": g.id if g and g.id else None,
                    "status": status,
                    "has_left": None,
                }
            )
        return rows

    @expose("/", methods=("GET",))
    def index(self):
        search = (request.args.get("q") or "").strip()[:100]
        return self.render("admin/accounts/invitations.html", rows=self._rows(search), q=search)

    @expose("/inviter", methods=("POST",))
    def invite(self):
        ids = inputs.ids(request.form.getlist("household"))
        guardian_ids = [
            g.id
            for g in Guardian.select()
            .join(Household)
            .where(Household.town == town_id(), Household.id.in_(ids), Guardian.is_reference)
        ]
        sent = _invite(guardian_ids)
        flash(f"{sent} invitation(s) envoyée(s).", "success")
        return redirect(url_for(".index"))

    @expose("/import", methods=("POST",))
    def import_csv(self):
        upload = request.files.get("file")
        data = upload.read(MAX_CSV_BYTES + 1) if upload else b""
        if not data or len(data) > MAX_CSV_BYTES:
            flash("Choisissez un fichier CSV (2 Mo au plus).", "error")
            return redirect(url_for(".index"))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        header = [households.csv_key(h) for h in next(reader, [])]
        if "email" not in header:
            flash(
                "Le fichier doit avoir une ligne d'en-tête avec au moins une colonne "
                "« email » (et « nom », « prénom », « nom du foyer »…).",
                "error",
            )
            return redirect(url_for(".index"))
        rows = [
            {k: v for k, v in zip(header, line, strict=False) if k}
            for line in reader
            if any(cell.strip() for cell in line)
        ]
        guardian_ids, errors = households.import_households(town_id(), rows)
        sent = _invite(guardian_ids)
        flash(f"{sent} invitation(s) envoyée(s) sur {len(rows)} ligne(s).", "success")
        for e in errors[:50]:
            flash(e, "error")
        return redirect(url_for(".index"))

    @expose("/anonymiser", methods=("POST",))
    def anonymise(self):
        try:
            household_id = int(request.form.get("household", ""))
        except ValueError:
            household_id = 0
        household = Household.get_or_none(Household.id == household_id, Household.town == town_id())
        if household is None:
            flash("Foyer introuvable.", "error")
            return redirect(url_for(".index"))
        try:
            privacy.anonymise_household(household, current_user.account)
        except privacy.PrivacyError as exc:
            flash(str(exc), "error")
        else:
            flash(
                f"Le foyer n° {household.id} est anonymisé ; ses factures sont conservées.",
                "success",
            )
        return redirect(url_for(".index"))


class EnrolmentRequestsView(StaffOnly, BaseView):
    """Enrolment requests and the waiting list, decided through the enrolment workflow."""

    @expose("/", methods=("GET",))
    def index(self):
        rows = []
        for e in enrolments.worklist(town_id()):
            rows.append(
                {
                    "id": e.id,
                    "child": f"{e.child.first_name} {e.child.last_name}",
                    "service": e.service.name,
                    "site": e.site.name,
                    "period": f"{date_fr(e.start)} – {date_fr(e.end)}",
                    "days": e.usual_days,
                    "state": words.title("enrolment", e.state),
                    "raw_state": e.state,
                    "rank": enrolment_rules.waiting_rank(e),
                    "left": enrolment_rules.places_left(e.service_id, e.site_id, e.start, e.end),
                }
            )
        return self.render("admin/accounts/enrolment_requests.html", rows=rows)

    @expose("/", methods=("POST",))
    def decide(self):
        decision = request.form.get("decision", "")
        reason = (request.form.get("reason") or "").strip()[:500]
        ids = inputs.ids(request.form.getlist("enrolment"))
        mine = {
            e.id for e in enrolments.worklist(town_id()).where(enrolments.Enrolment.id.in_(ids))
        }
        done, problems = 0, []
        for enrolment_id in ids:
            if enrolment_id not in mine:
                problems.append(f"Demande n° {enrolment_id} introuvable.")
                continue
            try:
                enrolments.decide(current_user.actor, enrolment_id, decision, reason)
            except WorkflowError as exc:
                problems.append(f"Demande n° {enrolment_id} : {enrolments.refusal_fr(exc)}")
                continue
            done += 1
            account_mails.enrolment_decision(enrolment_id)
        if done:
            flash(f"{done} demande(s) {DECISIONS_FR.get(decision, 'traitée(s)')}.", "success")
        for p in problems:
            flash(p, "error")
        return redirect(url_for(".index"))


class HouseholdChangeView(ReadOnlyModelView):
    column_list = ("at", "household", "account", "subject", "field", "old_value", "new_value")
    column_labels = {
        "at": "Date",
        "household": "Foyer",
        "account": "Par",
        "subject": "Objet",
        "field": "Champ",
        "old_value": "Ancienne valeur",
        "new_value": "Nouvelle valeur",
    }
    column_default_sort = ("at", True)
    column_sortable_list = ("at",)

    def get_query(self):
        return HouseholdChange.select().where(
            HouseholdChange.household.in_(
                Household.select(Household.id).where(Household.town == town_id())
            )
        )

    def get_count_query(self):
        return self.get_query()


class EnrolmentOfferView(TownModelView):
    """Which service at which site parents may ask for online, and its capacity."""

    can_delete = True
    column_list = ("service", "site", "capacity", "open_online")
    column_labels = {
        "service": "Service",
        "site": "Structure",
        "capacity": "Places (vide : sans limite)",
        "open_online": "Demande en ligne ouverte",
    }
    form_columns = ("service", "site", "capacity", "open_online")
    form_args = {
        "service": {"description": "Le service que les familles demandent en ligne."},
        "site": {"description": "La structure où il est offert."},
        "capacity": {
            "validators": [
                Optional(),
                NumberRange(min=0, message="Un nombre de places est positif ou nul."),
            ],
            "description": "Nombre d'enfants inscrits au plus ; au-delà, liste d'attente. "
            "Vide : sans limite.",
        },
        "open_online": {"description": "Décochée : l'offre reste, mais ne se demande plus."},
    }

    def form_checks(self, form, own_id):
        """One offer per service and site (the table's unique index, said in French)."""
        service, site = form.service.data, form.site.data
        if service is None or site is None:
            return []
        q = EnrolmentOffer.select().where(
            EnrolmentOffer.service == service.id, EnrolmentOffer.site == site.id
        )
        if own_id is not None:
            q = q.where(EnrolmentOffer.id != own_id)
        if q.exists():
            return [("site", f"Une offre « {service.name} – {site.name} » existe déjà.")]
        return []

    def get_query(self):
        return EnrolmentOffer.select().where(
            EnrolmentOffer.service.in_(Service.select(Service.id).where(Service.town == town_id()))
        )

    def get_count_query(self):
        return self.get_query()

    def after_model_change(self, form, model, is_created):
        # More places may admit waiting requests, in order.
        enrolments.admit_waiting(model.service_id, model.site_id)


def _restrict_child_form(admin) -> None:
    """CNIL: a meal option from a closed list (never a religion); PAI yes/no only."""
    for view in admin._views:
        if getattr(view, "endpoint", "") == "admin_child":
            view.form_overrides = {**(view.form_overrides or {}), "meal_option": SelectField}
            view.form_args = {
                **(view.form_args or {}),
                "meal_option": {
                    "label": "Régime alimentaire (option de repas)",
                    "choices": privacy.MEAL_OPTIONS,
                    "validators": [Optional()],
                },
            }
            view._refresh_forms_cache()


def register(admin, app) -> None:
    admin.add_view(
        InvitationView(
            name="Comptes des foyers",
            category="Familles",
            endpoint="admin_invitations",
            url="/admin/comptes-foyers",
        )
    )
    admin.add_view(
        EnrolmentRequestsView(
            name="Demandes d'inscription",
            category="Familles",
            endpoint="admin_enrolment_requests",
            url="/admin/demandes-inscription",
        )
    )
    admin.add_view(
        HouseholdChangeView(
            HouseholdChange,
            name="Historique des foyers",
            category="Familles",
            endpoint="admin_householdchange",
            url="/admin/historique-foyers",
        )
    )
    admin.add_view(
        EnrolmentOfferView(
            EnrolmentOffer,
            name="Inscriptions en ligne",
            category="Offre",
            endpoint="admin_enrolmentoffer",
            url="/admin/inscriptions-en-ligne",
        )
    )
    _restrict_child_form(admin)
