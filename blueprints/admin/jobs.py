"""« Travaux en arrière-plan »: the queues, the workers, the timer and its schedule, the
validator's last runs, and the failed jobs an admin retries or deletes (jobs/monitor.py
reads rq; each retry and deletion is in the audit)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from jobs import monitor
from models import transaction
from workflows import audit

from .security import StaffOnly, staff_roles, town_id

STATES = {"idle": "en attente", "busy": "au travail", "suspended": "suspendu", "started": "démarré"}
JOB_NAMES = {
    "validate_pending": "Validation des demandes",
    "notify_decided_requests": "Courriels des décisions",
    "deliver_outgoing": "Envoi des courriels",
    "abandon_stale_payments": "Paiements en ligne sans réponse",
    "purge_personal_logs": "Purge des journaux de connexion (12 mois)",
    "expire_content": "Contenus arrivés à expiration",
    "remind_deadlines": "Rappels avant la clôture des réservations",
    "run_openings": "Ouvertures de places (tirage)",
}


def _every(seconds: int | None) -> str:
    if not seconds:
        return ""
    if seconds % 3600 == 0:
        return f"toutes les {seconds // 3600} h" if seconds > 3600 else "toutes les heures"
    if seconds % 60 == 0:
        return f"toutes les {seconds // 60} min" if seconds > 60 else "toutes les minutes"
    return f"toutes les {seconds} s"


class JobsView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        return self.render(
            "admin/jobs.html",
            o=monitor.overview(current_app.config),
            states=STATES,
            names=JOB_NAMES,
            every=_every,
            # The queue is the whole portal's: a failed job's error may name another town's
            # data, so only the portal's super-admin reads it.
            errors_shown="superadmin" in staff_roles(),
        )

    def _act(self, job_id: str, do, verb: str, done: str):
        """Retry or delete a failed job (404 if it is not one), then say so in the audit."""
        name = do(current_app.config, job_id)
        if name is None:
            abort(404)
        title = JOB_NAMES.get(name, name)
        with transaction():
            audit.record(
                current_user.account,
                town_id(),
                verb,
                audit.KINDS["Job"],
                None,
                None,
                {"travail": title, "identifiant": job_id},
                what=f"Travail « {title} » ({job_id})",
            )
        flash(done, "success")
        return redirect(url_for(".index"))

    @expose("/<job_id>/relancer", methods=["POST"])
    def retry(self, job_id: str):
        return self._act(job_id, monitor.retry_failed, "edit", "Le travail est relancé.")

    @expose("/<job_id>/supprimer", methods=["POST"])
    def delete(self, job_id: str):
        return self._act(
            job_id, monitor.delete_failed, "delete", "Le travail en échec est supprimé."
        )


def register(admin, app) -> None:
    admin.add_view(
        JobsView(name="Travaux en arrière-plan", endpoint="admin_jobs", url="/admin/travaux")
    )
