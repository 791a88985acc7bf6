"""The planning benchmark's baseline: a bare Flask endpoint that runs the planning's own
query (the bookings of a child for the period) and returns them as JSON, with the real
app's connection policy: one PostgreSQL connection per request, or, when DATABASE_URL
names a pool (postgresql+pool://), one connection kept open per worker.

    gunicorn -w 2 -b 127.0.0.1:PORT 'bench.bare:create_app()'   (env DATABASE_URL)
"""

from __future__ import annotations

import os

import psycopg2
from flask import Flask, jsonify, request

SQL = (
    "SELECT unit_id, date, state, refusal_code, refusal_reason, rank FROM booking"
    " WHERE child_id = %s AND date BETWEEN %s AND %s"
)


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    pooled = "+pool" in url.split("://", 1)[0]
    url = url.replace("+pool", "", 1)
    kept = []

    @app.get("/bare/children/<int:child_id>/planning")
    def planning(child_id: int):
        if pooled and not kept:
            kept.append(psycopg2.connect(url))
        conn = kept[0] if pooled else psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute(SQL, (child_id, request.args["from"], request.args["to"]))
                rows = cur.fetchall()
            conn.rollback()
        finally:
            if not pooled:
                conn.close()
        return jsonify(
            {
                "child": child_id,
                "cells": [
                    {
                        "unit_id": u,
                        "date": d.isoformat(),
                        "state": s,
                        "reason_code": c or None,
                        "reason": r or None,
                        "rank": k,
                    }
                    for u, d, s, c, r, k in rows
                ],
            }
        )

    return app
