"""« Travaux en arrière-plan »: an admin sees the queue, the timer's schedule, the validator's
last runs and the failed jobs, run by real rq workers, and retries or deletes a failed job
(each in the audit); other staff cannot open it."""

from __future__ import annotations

from rq.registry import FailedJobRegistry

from models import AuditEntry

from .. import factories as f
from ..conftest import run_worker
from ..forms import csrf
from .conftest import send

URL = "/admin/travaux/"


def broken_job():
    raise RuntimeError("SMTP server refused the connection")


def _failed_ids(app, queue) -> list[str]:
    return FailedJobRegistry(queue.name, connection=queue.connection).get_job_ids()


def test_admin_sees_the_schedule_and_the_validators_runs(app, auth, queue, town_a, school_days):
    client = auth.admin(town_a)
    page = client.get(URL).get_data(as_text=True)
    assert "Validation des demandes" in page  # the timer's schedule, from the same code
    assert "Rappels avant la clôture des réservations" in page
    assert "Aucun processus de travail ne tourne" in page
    assert "Aucune validation récente" in page

    h = f.household(town_a)
    send(town_a, h, "REPAS", school_days)  # asks for one sweep
    assert queue.count == 1
    assert "<td>1</td>" in client.get(URL).get_data(as_text=True)  # one job waiting
    run_worker()

    page = client.get(URL).get_data(as_text=True)
    runs = page.split("Dernières validations", 1)[1].split("Travaux en échec", 1)[0]
    assert "<td>2</td>" in runs  # the sweep decided the two lines


def test_admin_retries_then_deletes_a_failed_job(app, auth, queue, town_a):
    queue.enqueue("tests.admin.test_jobs_screen.broken_job")
    run_worker()
    (job_id,) = _failed_ids(app, queue)

    admin = f.staff(town_a, "admin")
    client = auth.login(admin)
    page = client.get(URL).get_data(as_text=True)
    assert "broken_job" in page
    # the queue is the portal's: a town's admin does not read a job's error, the portal's does
    assert "SMTP server refused" not in page and "détail réservé" in page
    portal = auth.login(f.staff(town_a, "superadmin"))
    assert "RuntimeError: SMTP server refused the connection" in portal.get(URL).get_data(
        as_text=True
    )

    token = csrf(client, URL)
    response = client.post(f"{URL}{job_id}/relancer", data={"csrf_token": token})
    assert response.status_code == 302
    assert _failed_ids(app, queue) == [] and queue.count == 1  # back on the queue

    run_worker()  # fails once more
    assert _failed_ids(app, queue) == [job_id]
    client.post(f"{URL}{job_id}/supprimer", data={"csrf_token": token})
    assert _failed_ids(app, queue) == []
    assert "Aucun travail en échec" in client.get(URL).get_data(as_text=True)

    rows = list(AuditEntry.select().where(AuditEntry.kind == "Travail en arrière-plan"))
    assert [r.action for r in rows] == ["edit", "delete"]
    assert all(job_id in r.what and r.who == admin.email for r in rows)
    # an unknown job is a 404, not a retry of something else
    assert client.post(f"{URL}nope/relancer", data={"csrf_token": token}).status_code == 404


def test_only_the_towns_admin_opens_it(app, auth, town_a):
    assert auth.approver(town_a).get(URL).status_code == 403
    assert auth.finance(town_a).get(URL).status_code == 403
