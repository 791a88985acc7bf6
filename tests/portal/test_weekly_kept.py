"""A weekly template refused for a bad period keeps what the parent typed."""

import datetime as dt

from .. import factories as f


def test_a_refused_weekly_template_keeps_the_period_and_the_ticks(parent, town):
    repas = f.unit(town)
    start = f.open_days(n=1)[0]
    end = start + dt.timedelta(days=500)  # longer than a planning: refused
    resp = parent.post(
        f"/enfants/{parent.child.id}/semaine-type",
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "action": "cancel",
            f"j-{repas.id}": ["1", "4"],
            "vue": "mois",
            "date": start.isoformat(),
        },
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Semaine type" in html and "flash-error" in html
    assert '<details class="card weekly" id="semaine-type" open>' in html
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html
    assert f'name="j-{repas.id}" value="1" checked' in html
    assert f'name="j-{repas.id}" value="4" checked' in html
    assert f'name="j-{repas.id}" value="2" checked' not in html
    assert (
        'value="cancel" checked' in html
        or 'checked id="action-1"' in html
        or ('checked type="radio" value="cancel"' in html)
    )
    # and only once: the next visit is a fresh template
    again = parent.client.get(f"/enfants/{parent.child.id}/planning").get_data(as_text=True)
    assert f'name="j-{repas.id}" value="1" checked' not in again
