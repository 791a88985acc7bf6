import time
from models import RequestLine, Unit
from workflows import bookings
from tests import factories as f

def test_probe(app):
    town = f.town()
    units = [u.id for u in Unit.select().where(Unit.site == town._demo["schools"][0], Unit.code.in_(["REPAS", "GARDERIE MATIN", "GARDERIE 16H30-18H30", "PAI"]))]
    days = f.open_days(n=200, after=None) 
    days = [d for d in days if d <= town._demo["end"]]
    print(len(days), "days")
    t = time.time()
    hs = [f.household(town, name=f"N{i}", children=("A", "B")) for i in range(3)]
    print("households", time.time() - t)
    t = time.time()
    for h in hs:
        actor = f.parent_actor(h)
        for c in h.children:
            bookings.submit(actor, [bookings.RequestSpec(c.id, [(u, d, "book") for u in units for d in days])])
    n = RequestLine.select().count()
    print("submit", n, time.time() - t)
    t = time.time()
    print(bookings.sweep(200), time.time() - t)
