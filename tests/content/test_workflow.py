"""The CONTENT workflow: private when created, submitted by an editor, published only by a
reviewer who neither wrote nor submitted it, sent back with a comment, retracted; each move
through the engine with its history row in the same transaction, and the e-mails it tells."""

from __future__ import annotations

import pytest

from models import WorkflowHistory, transaction
from models.content import ContentItem
from models.outbox import OutgoingMail
from workflows import content, publication
from workflows.accounts import actor_for
from workflows.content import ContentError

from .. import factories as f


def _history(item):
    return [
        (h.transition, h.from_state, h.to_state, h.actor_id, h.role, h.comment)
        for h in WorkflowHistory.select()
        .where(WorkflowHistory.workflow == "content", WorkflowHistory.object_id == item.id)
        .order_by(WorkflowHistory.id)
    ]


def test_an_item_goes_private_pending_published_with_its_history(site):
    item = site.item("Repas de Noël", state="private")
    assert item.state == "private"
    publication.fire(site.editor, item, "submit")
    publication.fire(site.reviewer, item, "publish")
    assert ContentItem.get_by_id(item.id).state == "published"
    ed, rv = site.editor_account.id, site.reviewer_account.id
    assert _history(item) == [
        ("create", "", "private", ed, "editor", ""),
        ("submit", "private", "pending", ed, "editor", ""),
        ("publish", "pending", "published", rv, "reviewer", ""),
    ]
    assert ContentItem.get_by_id(item.id).published_at is not None


def test_only_a_reviewer_publishes(site):
    item = site.item("Sortie", state="pending")
    with pytest.raises(ContentError) as refused:
        publication.fire(site.editor, item, "publish")
    assert refused.value.code == "forbidden"
    approver = actor_for(f.staff(site.town, "approver"))
    assert publication.can(approver, item, "publish") == "forbidden"
    assert ContentItem.get_by_id(item.id).state == "pending"


def test_nobody_publishes_what_they_wrote_or_submitted(app, site):
    admin = actor_for(f.staff(site.town, "admin"))  # holds the editor's and reviewer's roles
    data = content.ItemInput("news", site.news_folder.id, "Écrit par l'admin")
    own = content.create_item(admin, site.town.id, data, site.files())
    publication.fire(admin, own, "submit")
    with pytest.raises(ContentError) as refused:
        publication.fire(admin, own, "publish")
    assert refused.value.code == "own_content"
    assert "un autre" in str(refused.value)
    # Submitted by someone else than its author: neither may publish it.
    other_data = content.ItemInput("news", site.news_folder.id, "Autre")
    other = content.create_item(site.editor, site.town.id, other_data, site.files())
    publication.fire(admin, other, "submit")
    assert publication.can(admin, other, "publish") == "own_content"
    assert publication.can(site.editor, other, "publish") == "forbidden"
    publication.fire(site.reviewer, other, "publish")
    assert ContentItem.get_by_id(other.id).state == "published"
    assert ContentItem.get_by_id(own.id).state == "pending"


def test_send_back_needs_a_comment_and_tells_the_author(site):
    item = site.item("À revoir", state="pending")
    with pytest.raises(ContentError) as refused:
        publication.fire(site.reviewer, item, "send_back", "   ")
    assert refused.value.field == "comment"
    assert ContentItem.get_by_id(item.id).state == "pending"
    publication.fire(
        site.reviewer, item, "send_back", "Ajoutez l'horaire.", link="http://x/admin/1"
    )
    assert ContentItem.get_by_id(item.id).state == "private"
    assert _history(item)[-1][:3] == ("send_back", "pending", "private")
    assert _history(item)[-1][5] == "Ajoutez l'horaire."
    mail = OutgoingMail.select().where(OutgoingMail.kind == "content_sent_back").get()
    assert mail.recipients == site.editor_account.email
    assert "Ajoutez l'horaire." in mail.text and "http://x/admin/1" in mail.text


def test_submitting_writes_one_mail_per_reviewer_but_the_submitter(site):
    other_reviewer = f.staff(site.town, "reviewer")
    admin = f.staff(site.town, "admin")
    f.staff(site.town, "approver")  # reviews nothing
    f.staff(f.town(), "reviewer")  # another town's
    item = site.item("Fête de l'école", state="private")
    publication.fire(site.editor, item, "submit", link="http://portail/admin/contenus/1")
    mails = list(OutgoingMail.select().where(OutgoingMail.kind == "content_submitted"))
    assert sorted(m.recipients for m in mails) == sorted(
        [site.reviewer_account.email, other_reviewer.email, admin.email]
    )
    assert all("Fête de l'école" in m.subject and "http://portail/admin" in m.text for m in mails)


def test_retract_by_editor_or_reviewer_and_only_private_items_are_edited(site):
    item = site.item("Publié", state="published")
    data = content.ItemInput("news", site.news_folder.id, "Changé")
    with pytest.raises(ContentError) as refused:
        content.update_item(site.editor, item, data, site.files())
    assert refused.value.code == "not_private"
    publication.fire(site.editor, item, "retract")
    assert ContentItem.get_by_id(item.id).state == "private"
    updated = content.update_item(site.editor, ContentItem.get_by_id(item.id), data, site.files())
    assert updated.title == "Changé"
    again = site.item("Encore", state="published")
    publication.fire(site.reviewer, again, "retract")
    assert ContentItem.get_by_id(again.id).state == "private"


def test_staff_of_another_town_can_do_nothing(site):
    stranger = actor_for(f.staff(f.town(), "editor,reviewer"))
    item = site.item("Chez nous", state="pending")
    for name in ("publish", "send_back"):
        assert publication.can(stranger, item, name) == "forbidden"
    with pytest.raises(ContentError):
        publication.fire(stranger, item, "publish")
    with pytest.raises(ContentError):
        content.delete_item(stranger, site.item("Privé", state="private"), site.store)
    assert publication.actions(stranger, item) == []


def test_the_history_row_is_written_in_the_same_transaction_as_the_change(site):
    """A transaction that fails after the move leaves neither the new state nor its row."""
    item = site.item("Annulé", state="private")
    before = _history(item)
    with pytest.raises(RuntimeError), transaction():
        publication.fire(site.editor, item, "submit")
        assert ContentItem.get_by_id(item.id).state == "pending"
        assert len(_history(item)) == len(before) + 1
        raise RuntimeError("the caller fails after the move")
    assert ContentItem.get_by_id(item.id).state == "private"
    assert _history(item) == before
    assert not OutgoingMail.select().where(OutgoingMail.kind == "content_submitted").exists()


def test_a_conflicting_move_is_refused(site):
    item = site.item("Deux relecteurs", state="pending")
    stale = ContentItem.get_by_id(item.id)
    publication.fire(site.reviewer, item, "send_back", "Non")
    second = actor_for(f.staff(site.town, "reviewer"))
    with pytest.raises(ContentError) as refused:
        publication.fire(second, stale, "publish")
    assert refused.value.code in ("conflict", "invalid_transition")
    assert ContentItem.get_by_id(item.id).state == "private"


def test_the_worklist_and_its_counts(site):
    site.item("A", state="pending")
    site.item("B", state="pending", kind="page")
    site.item("C", state="private")
    site.item("Menu ?", state="published")
    other = f.town()
    Site = type(site)
    Site(site.app, other).item("Ailleurs", state="pending")
    assert [i.title for i in publication.to_review(site.reviewer)] == ["A", "B"]
    assert publication.review_counts(site.reviewer) == {
        "news": 1,
        "page": 1,
        "menu": 0,
        "document": 0,
    }
    assert publication.review_counts(site.editor) == {}
