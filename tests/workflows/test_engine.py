"""The workflow engine on the booking workflow: who may fire what from where, guards,
reasons, the history row written with the change (or not at all), and lost races."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, Request, RequestLine, WorkflowHistory, transaction
from workflows.accounts import actor_for
from workflows.calendar import PARIS
from workflows.definitions import BOOKING
from workflows.engine import (
    SYSTEM,
    Conflict,
    Follow,
    Forbidden,
    GuardFailed,
    InvalidTransition,
    fire,
    fire_many,
    fire_upsert,
)
from workflows.rules import RuleContext

from .. import factories as f

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
MONDAY = dt.date(2026, 12, 7)  # an open school day, deadline Wednesday 2 December 09:00


class World:
    def __init__(self):
        self.town = f.town(today=TODAY)
        self.h = f.household(self.town)
        self.child = self.h.children[0]
        self.repas = f.unit(self.town)
        self.parent = f.parent_actor(self.h)
        self.owner = (self.h.id, self.town.id)

    def staff(self, roles="approver", town=None):
        town = town or self.town
        return actor_for(f.staff(town, roles))

    def booking(self, state="free", day=MONDAY, child=None):
        return Booking.create(child=child or self.child, unit=self.repas, date=day, state=state)

    def ctx(self, now=NOW):
        return RuleContext.load([self.repas.id], [self.child.id], now)

    def fire(self, booking, name, actor, **kw):
        kw.setdefault("context", self.ctx())
        return fire(BOOKING, booking, name, actor, owner=self.owner, **kw)


@pytest.fixture
def w(app):
    return World()


def history(booking=None):
    q = WorkflowHistory.select().where(WorkflowHistory.workflow == "booking")
    if booking is not None:
        q = q.where(WorkflowHistory.object_id == booking.id)
    return list(q.order_by(WorkflowHistory.id))


def db_state(booking):
    return Booking.get_by_id(booking.id).state


# -- allowed paths ----------------------------------------------------------------------
def test_parent_requests_system_accepts_parent_cancels_approver_confirms(w):
    b = w.booking()
    assert w.fire(b, "request", w.parent) == "requested"
    assert w.fire(b, "accept", SYSTEM) == "booked"
    assert w.fire(b, "ask_cancel", w.parent) == "cancel_requested"
    approver = w.staff()
    assert w.fire(b, "confirm_cancel", approver) == "free"
    assert db_state(b) == "free"
    rows = [(r.transition, r.from_state, r.to_state, r.role, r.actor_id) for r in history(b)]
    assert rows == [
        ("request", "free", "requested", "parent", w.parent.account_id),
        ("accept", "requested", "booked", "system", None),
        ("ask_cancel", "booked", "cancel_requested", "parent", w.parent.account_id),
        ("confirm_cancel", "cancel_requested", "free", "approver", approver.account_id),
    ]


def test_history_row_has_the_comment_and_the_time(w):
    b = w.booking(state="requested")
    approver = w.staff()
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    w.fire(b, "refuse", approver, comment="Enfant absent toute la semaine")
    (row,) = history(b)
    assert (row.transition, row.from_state, row.to_state) == ("refuse", "requested", "free")
    assert (row.actor_id, row.role) == (approver.account_id, "approver")
    assert row.comment == "Enfant absent toute la semaine"
    assert row.at >= before.replace(microsecond=0)
    assert Booking.get_by_id(b.id).updated_at is not None


def test_admin_holds_approver_role_and_may_cancel_for_the_town(w):
    admin = w.staff(roles="admin")
    b = w.booking(state="requested")
    w.fire(b, "accept", admin)
    w.fire(b, "cancel_by_town", admin, comment="Grève")
    assert [(r.transition, r.role) for r in history(b)] == [
        ("accept", "approver"),
        ("cancel_by_town", "admin"),
    ]
    assert db_state(b) == "free"


def test_values_are_written_with_the_state(w):
    b = w.booking(state="requested")
    w.fire(b, "queue", SYSTEM, values={"rank": 4})
    stored = Booking.get_by_id(b.id)
    assert (stored.state, stored.rank) == ("waiting", 4)
    assert (b.state, b.rank) == ("waiting", 4)


def test_available_lists_what_a_role_may_do_from_a_state(w):
    assert [t.name for t in BOOKING.available("requested", {"parent"})] == ["withdraw"]
    assert {t.name for t in BOOKING.available("requested", {"system"})} == {
        "accept",
        "queue",
        "refuse",
    }
    assert [t.name for t in BOOKING.available("booked", {"parent"})] == ["ask_cancel"]
    assert BOOKING.available("free", {"finance"}) == []


# -- wrong state, wrong role --------------------------------------------------------------
def test_transition_from_a_wrong_state_is_invalid(w):
    cases = [
        ("free", "accept"),
        ("booked", "request"),
        ("free", "ask_cancel"),
        ("requested", "confirm_cancel"),
        ("booked", "withdraw"),
        ("waiting", "accept"),
        ("free", "teleport"),
    ]
    for i, (state, name) in enumerate(cases):
        b = w.booking(state=state, day=MONDAY + dt.timedelta(days=7 * i))
        with pytest.raises(InvalidTransition) as e:
            w.fire(b, name, SYSTEM if name != "request" else w.parent)
        assert e.value.code == "invalid_transition"
        assert db_state(b) == state
    assert history() == []


def test_parent_may_not_accept_their_own_request(w):
    b = w.booking(state="requested")
    with pytest.raises(Forbidden) as e:
        w.fire(b, "accept", w.parent)
    assert e.value.code == "forbidden"
    assert (db_state(b), history()) == ("requested", [])


def test_parent_of_another_household_may_not_request(w):
    stranger = f.parent_actor(f.household(w.town, name="Durand"))
    b = w.booking()
    with pytest.raises(Forbidden):
        w.fire(b, "request", stranger)
    assert (db_state(b), history()) == ("free", [])


def test_staff_of_another_town_may_not_decide(w):
    elsewhere = w.staff(roles="admin", town=f.town(today=TODAY))
    b = w.booking(state="requested")
    for name in ("accept", "refuse"):
        with pytest.raises(Forbidden):
            w.fire(b, name, elsewhere, comment="non")
    with pytest.raises(Forbidden):
        w.fire(w.booking(state="booked", day=dt.date(2026, 12, 8)), "cancel_by_town", elsewhere)
    assert history() == []


def test_staff_role_must_be_the_right_one(w):
    finance = w.staff(roles="finance")
    b = w.booking(state="requested")
    with pytest.raises(Forbidden):
        w.fire(b, "accept", finance)
    approver = w.staff(roles="approver", town=w.town)
    with pytest.raises(Forbidden):  # closing for the town is the admin's
        w.fire(w.booking(state="booked", day=dt.date(2026, 12, 8)), "cancel_by_town", approver)


def test_system_may_not_request_for_a_parent(w):
    with pytest.raises(Forbidden):
        w.fire(w.booking(), "request", SYSTEM)


# -- guards and reasons ----------------------------------------------------------------
def test_guard_refuses_a_closed_day(w):
    saturday = w.booking(day=dt.date(2026, 12, 12))
    with pytest.raises(GuardFailed) as e:
        w.fire(saturday, "request", w.parent)
    assert e.value.code == "closed"
    assert (db_state(saturday), history()) == ("free", [])


def test_guard_refuses_after_the_deadline(w):
    b = w.booking()
    late = dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)
    with pytest.raises(GuardFailed) as e:
        w.fire(b, "request", w.parent, context=w.ctx(now=late))
    assert e.value.code == "late"
    # one minute earlier it passes
    w.fire(b, "request", w.parent, context=w.ctx(now=late - dt.timedelta(minutes=1)))
    assert db_state(b) == "requested"


def test_guard_withdraw_only_before_the_deadline(w):
    b = w.booking(state="requested")
    with pytest.raises(GuardFailed) as e:
        w.fire(b, "withdraw", w.parent, context=w.ctx(now=dt.datetime(2026, 12, 3, tzinfo=PARIS)))
    assert e.value.code == "late"
    w.fire(b, "withdraw", w.parent)
    assert db_state(b) == "free"


def test_guard_refuses_acceptance_when_the_unit_is_full(w):
    w.repas.capacity = 1
    w.repas.save()
    other = f.household(w.town, name="Petit").children[0]
    w.booking(state="booked", child=other)
    b = w.booking(state="requested")
    with pytest.raises(GuardFailed) as e:
        w.fire(b, "accept", SYSTEM)
    assert e.value.code == "full"
    assert db_state(b) == "requested"


def test_refusing_needs_a_reason(w):
    b = w.booking(state="requested")
    approver = w.staff()
    for comment in ("", "   "):
        with pytest.raises(GuardFailed) as e:
            w.fire(b, "refuse", approver, comment=comment)
        assert e.value.code == "reason_required"
    booked = w.booking(state="cancel_requested", day=dt.date(2026, 12, 8))
    with pytest.raises(GuardFailed):
        w.fire(booked, "refuse_cancel", approver)
    assert history() == []
    w.fire(b, "refuse", approver, comment="Pas de place")
    assert db_state(b) == "free"


# -- one transaction ---------------------------------------------------------------------
def test_rollback_keeps_neither_the_state_nor_the_history(w):
    b = w.booking()
    with pytest.raises(RuntimeError):
        with transaction():
            w.fire(b, "request", w.parent)
            assert Booking.get_by_id(b.id).state == "requested"  # inside, it is done
            assert WorkflowHistory.select().count() == 1
            raise RuntimeError("the rest of the operation failed")
    assert db_state(b) == "free"
    assert WorkflowHistory.select().count() == 0
    # and the booking can still be requested afterwards
    b = Booking.get_by_id(b.id)
    w.fire(b, "request", w.parent)
    assert (db_state(b), len(history(b))) == ("requested", 1)


def test_a_row_changed_meanwhile_is_a_conflict(w):
    b = w.booking()
    mine, theirs = Booking.get_by_id(b.id), Booking.get_by_id(b.id)
    w.fire(theirs, "request", w.parent)
    with pytest.raises(Conflict) as e:
        w.fire(mine, "request", w.parent)  # it still believes the day is free
    assert e.value.code == "conflict"
    assert len(history(b)) == 1
    assert db_state(b) == "requested"


def test_fire_many_moves_only_rows_in_the_source_state(w):
    days = [dt.date(2026, 12, d) for d in (7, 8, 10, 11, 14)]
    rows = [
        w.booking(state=s, day=d)
        for s, d in zip(["requested", "free", "requested", "booked", "waiting"], days, strict=True)
    ]
    with transaction():
        moved = fire_many(BOOKING, "accept", SYSTEM, "system", Booking.id.in_([b.id for b in rows]))
    assert sorted(i for i, _ in moved) == [rows[0].id, rows[2].id]
    assert [db_state(b) for b in rows] == ["booked", "free", "booked", "booked", "waiting"]
    assert sorted(
        (r.object_id, r.transition, r.from_state, r.to_state, r.role) for r in history()
    ) == [
        (rows[0].id, "accept", "requested", "booked", "system"),
        (rows[2].id, "accept", "requested", "booked", "system"),
    ]
    # firing again moves nothing and writes nothing
    with transaction():
        assert (
            fire_many(BOOKING, "accept", SYSTEM, "system", Booking.id.in_([b.id for b in rows]))
            == []
        )
    assert len(history()) == 2


def test_fire_many_checks_the_role_and_the_reason(w):
    b = w.booking(state="requested")
    with pytest.raises(Forbidden):
        fire_many(BOOKING, "accept", w.parent, "parent", Booking.id == b.id)
    with pytest.raises(Forbidden):  # a role the actor does not hold
        fire_many(BOOKING, "accept", w.parent, "system", Booking.id == b.id)
    with pytest.raises(GuardFailed):
        fire_many(BOOKING, "refuse", SYSTEM, "system", Booking.id == b.id)
    assert (db_state(b), history()) == ("requested", [])


def test_accepting_one_booking_judges_the_deadline_when_its_line_was_sent(w):
    """A booking fired on its own (a staff click) carries no sent_at: its line's counts."""
    from workflows import bookings

    bookings.submit(
        w.parent,
        [bookings.RequestSpec(w.child.id, [(w.repas.id, MONDAY, "book")])],
        now=dt.datetime(2026, 12, 2, 8, 30, tzinfo=PARIS),
    )
    b = Booking.get()
    after_deadline = w.ctx(now=dt.datetime(2026, 12, 2, 9, 30, tzinfo=PARIS))
    assert w.fire(b, "accept", SYSTEM, context=after_deadline) == "booked"
    # a booking whose line was sent late is refused by the same guard
    late = w.booking(state="requested", day=dt.date(2026, 12, 8))
    with pytest.raises(GuardFailed) as e:
        w.fire(
            late, "accept", SYSTEM, context=w.ctx(now=dt.datetime(2026, 12, 3, 9, 30, tzinfo=PARIS))
        )
    assert e.value.code == "late"


def _line(w, day, state="pending"):
    request = Request.create(household=w.h.id, child=w.child.id, state="sent")
    return RequestLine.create(
        request=request, child=w.child, unit=w.repas, date=day, action="book", state=state
    )


def test_fire_many_carries_along_the_lines_of_the_rows_it_moves(w):
    days = [dt.date(2026, 12, d) for d in (7, 8, 10)]
    lines = [_line(w, days[0]), _line(w, days[1]), _line(w, days[2], state="refused")]
    rows = [
        Booking.create(child=w.child, unit=w.repas, date=d, state=s, line=line)
        for d, s, line in zip(days, ["requested", "booked", "requested"], lines, strict=True)
    ]
    decided = Follow(RequestLine, {"state": "accepted"}, RequestLine.state == "pending")
    with transaction():
        moved = fire_many(
            BOOKING,
            "accept",
            SYSTEM,
            "system",
            Booking.id.in_([b.id for b in rows]),
            follow=decided,
        )
    # the booked one did not move, so its line stays; the refused line does not match `where`
    assert sorted(moved) == [(rows[0].id, lines[0].id), (rows[2].id, lines[2].id)]
    assert moved.followed == 1
    assert [RequestLine.get_by_id(line.id).state for line in lines] == [
        "accepted",
        "pending",
        "refused",
    ]
    assert len(history()) == 2
    with transaction():  # nothing left to move: nothing follows
        again = fire_many(
            BOOKING, "accept", SYSTEM, "system", Booking.id == rows[0].id, follow=decided
        )
    assert (again, again.followed) == ([], 0)


def test_fire_upsert_writes_missing_rows_and_moves_only_free_ones(w):
    days = [dt.date(2026, 12, d) for d in (7, 8, 10)]
    lines = [_line(w, d) for d in days]
    w.booking(state="free", day=days[1])
    booked = w.booking(state="booked", day=days[2])
    cells = [Booking.child, Booking.unit, Booking.date]
    source = RequestLine.select(
        RequestLine.child, RequestLine.unit, RequestLine.date, RequestLine.id
    ).where(RequestLine.id.in_([line.id for line in lines]))
    with transaction():
        moved = fire_upsert(
            BOOKING,
            "request",
            w.parent,
            "parent",
            source,
            [*cells, Booking.line],
            cells,
            values={"refusal_code": ""},
            comment="request",
        )
    assert sorted(line_id for _, line_id in moved) == [lines[0].id, lines[1].id]
    got = {b.date: (b.state, b.line_id) for b in Booking.select()}
    assert got == {
        days[0]: ("requested", lines[0].id),  # written
        days[1]: ("requested", lines[1].id),  # moved, now the new line's
        days[2]: ("booked", None),  # left as it was
    }
    assert Booking.select().count() == 3 and db_state(booked) == "booked"
    assert sorted((r.transition, r.from_state, r.to_state, r.line_id) for r in history()) == [
        ("request", "free", "requested", lines[0].id),
        ("request", "free", "requested", lines[1].id),
    ]
    with pytest.raises(InvalidTransition):  # accept does not start from the initial state
        fire_upsert(BOOKING, "accept", SYSTEM, "system", source, [*cells, Booking.line], cells)
