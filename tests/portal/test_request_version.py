"""The request page's poll: its version, 304 while nothing changed."""

from workflows import bookings, decisions

from .. import factories as f


def test_the_version_changes_once_a_line_is_decided(parent, town):
    (number,) = bookings.submit(
        f.parent_actor(parent.household),
        [bookings.RequestSpec(parent.child.id, [(f.unit(town).id, f.open_days(n=1)[0], "book")])],
    )
    url = f"/demandes/{number}/version.json"
    first = parent.client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert parent.client.get(url, headers={"If-None-Match": tag}).status_code == 304
    decisions.sweep()
    after = parent.client.get(url, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.get_json()["version"] != first.get_json()["version"]


def test_another_household_cannot_poll_it(parent, other_parent, town):
    (number,) = bookings.submit(
        f.parent_actor(parent.household),
        [bookings.RequestSpec(parent.child.id, [(f.unit(town).id, f.open_days(n=1)[0], "book")])],
    )
    assert other_parent.client.get(f"/demandes/{number}/version.json").status_code == 404
