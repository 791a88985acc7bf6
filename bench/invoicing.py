"""Benchmark: the month's invoicing for N households on PostgreSQL, and PDF rendering.

Prints:
- drafting (workflows.invoicing.draft_month: read the month's booked days, price them, insert
  invoices and lines) in invoices per second, against a raw insert of the same rows
  (psycopg2 execute_values into copies of the two tables) in the same run;
- issuing (gap-free numbers under the counter's lock, transition + history rows);
- the issue e-mails written to the outbox;
- PDF pages per second, in one process and in two (the worker's rendering, 2 cores);
- a projection of the month for N households against the target (10 minutes on 2 cores).

    .venv/bin/python -m bench.invoicing --households 10000 [--pdfs 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import tempfile
import time

from psycopg2.extras import execute_values

from models import Booking, Unit, database, transaction
from models.billing import Invoice, InvoiceLine, Price

from . import common

DEFAULT_SERVER = common.DEFAULT_SERVER


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--pdfs", type=int, default=300, help="invoices rendered as PDF")
    p.add_argument("--server", default=os.environ.get("BENCH_PG", DEFAULT_SERVER))
    p.add_argument("--keep", action="store_true")
    return p.parse_args()


def _book_month(bt, month_days) -> int:
    """Every child booked on every template day of the month (state 'booked')."""
    rows = [
        {"child": c, "unit": unit, "date": d, "state": "booked"}
        for c, (_, unit) in bt.children.items()
        for d in month_days
    ]
    with transaction():
        for i in range(0, len(rows), 5000):
            Booking.insert_many(rows[i : i + 5000]).execute()
    return len(rows)


def _prices(town) -> None:
    with transaction():
        for unit in (
            Unit.select().join(Unit.service.rel_model).where(Unit.service.rel_model.town == town.id)
        ):
            for qf_min, qf_max, cents in ((0, 600, 150), (601, 1200, 285), (1201, None, 390)):
                Price.create(
                    town=town,
                    unit=unit,
                    qf_min=qf_min,
                    qf_max=qf_max,
                    amount_cents=cents,
                    valid_from=dt.date(2000, 1, 1),
                )


def _raw_insert(invoices: list[tuple], lines: list[tuple], inv_cols, line_cols) -> float:
    """The same rows, inserted raw into copies of the tables; returns seconds."""
    database.execute_sql("DROP TABLE IF EXISTS bench_invoice, bench_invoice_line")
    database.execute_sql("CREATE TABLE bench_invoice (LIKE invoice INCLUDING ALL)")
    database.execute_sql("CREATE TABLE bench_invoice_line (LIKE invoice_line INCLUDING ALL)")
    t0 = time.perf_counter()
    with database.atomic():
        cur = database.cursor()
        execute_values(
            cur,
            f"INSERT INTO bench_invoice ({', '.join(inv_cols)}) VALUES %s",
            invoices,
            page_size=1000,
        )
        execute_values(
            cur,
            f"INSERT INTO bench_invoice_line ({', '.join(line_cols)}) VALUES %s",
            lines,
            page_size=1000,
        )
    return time.perf_counter() - t0


def _render_chunk(args) -> int:
    url, ids, folder = args
    from models import bind_database
    from workflows import documents

    bind_database(url)
    database.connect(reuse_if_open=True)
    pages = 0
    for inv in Invoice.select().where(Invoice.id.in_(ids)):
        data = documents.stored_invoice_pdf(inv, folder)
        pages += max(1, data.count(b"/Type /Page") - data.count(b"/Type /Pages"))
    database.close()
    return pages


def main() -> None:
    args = _args()
    from workflows import invoicing
    from workflows.engine import Actor

    with common.throwaway_database(args.server, "portail_bench_invoicing", args.keep) as url:
        common.bind(url)
        bt = common.build_town(args.households * 2, weeks=None)
        households = len(bt.accounts)
        month = dt.date(bt.start.year, 10, 1)
        month_days = [d for d in bt.days if (d.year, d.month) == (month.year, month.month)]
        _prices(bt.town)
        t0 = time.perf_counter()
        booked = _book_month(bt, month_days)
        print(
            f"month {month:%m/%Y}: {booked:,} booked days written in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        common.vacuum_analyze()
        finance = Actor(account_id=None, staff_roles=frozenset({"finance"}), town_id=bt.town.id)

        t0 = time.perf_counter()
        result = invoicing.draft_month(bt.town.id, month)
        draft_s = time.perf_counter() - t0
        n_lines = InvoiceLine.select().count()
        print(
            f"draft: {result.created:,} invoices, {n_lines:,} lines in {draft_s:.2f} s "
            f"= {result.created / draft_s:,.0f} invoices/s"
        )

        again = time.perf_counter()
        assert invoicing.draft_month(bt.town.id, month).created == 0
        print(f"draft again (idempotent, nothing created): {time.perf_counter() - again:.2f} s")

        inv_cols = [f.column_name for f in Invoice._meta.sorted_fields if f.name != "id"]
        line_cols = [f.column_name for f in InvoiceLine._meta.sorted_fields if f.name != "id"]
        inv_rows = list(
            Invoice.select(*[f for f in Invoice._meta.sorted_fields if f.name != "id"]).tuples()
        )
        line_rows = list(
            InvoiceLine.select(
                *[f for f in InvoiceLine._meta.sorted_fields if f.name != "id"]
            ).tuples()
        )
        raw_s = _raw_insert(inv_rows, line_rows, inv_cols, line_cols)
        print(
            f"raw insert of the same rows: {raw_s:.2f} s = {len(inv_rows) / raw_s:,.0f} "
            f"invoices/s (drafting costs {draft_s / raw_s:.1f}x the raw insert)"
        )

        t0 = time.perf_counter()
        ids = invoicing.issue_month(finance, bt.town.id, month)
        issue_s = time.perf_counter() - t0
        print(
            f"issue: {len(ids):,} invoices numbered and issued in {issue_s:.2f} s "
            f"= {len(ids) / issue_s:,.0f} invoices/s"
        )

        with tempfile.TemporaryDirectory() as folder:
            os.environ["PORTAIL_INSTANCE"] = folder
            from jobs.invoicing import notify_issued

            t0 = time.perf_counter()
            sent = notify_issued(ids)
            mail_s = time.perf_counter() - t0
            print(
                f"e-mails: {sent:,} written to the outbox in {mail_s:.2f} s "
                f"= {sent / mail_s:,.0f}/s"
            )

            sample = ids[: args.pdfs]
            t0 = time.perf_counter()
            pages1 = _render_chunk((url, sample[: len(sample) // 2], folder))
            one_s = time.perf_counter() - t0
            rest = sample[len(sample) // 2 :]
            common.bind(url)
            t0 = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(2) as pool:
                database.close()
                half = len(rest) // 2
                pages2 = sum(
                    pool.map(
                        _render_chunk, [(url, rest[:half], folder), (url, rest[half:], folder)]
                    )
                )
            two_s = time.perf_counter() - t0
            common.bind(url)
        pps1, pps2 = pages1 / one_s, pages2 / two_s
        print(
            f"PDF: {pages1} pages in {one_s:.2f} s = {pps1:.1f} pages/s (1 process); "
            f"{pages2} pages in {two_s:.2f} s = {pps2:.1f} pages/s (2 processes)"
        )
        total = draft_s + issue_s + mail_s + len(ids) / pps2
        print(
            f"projection for {households:,} households on this machine (2 workers): "
            f"draft {draft_s:.0f} s + issue {issue_s:.0f} s + mails {mail_s:.0f} s + PDFs "
            f"{len(ids) / pps2:.0f} s = {total / 60:.1f} min (target: 10 min)"
        )
        print(
            f"({os.cpu_count()} CPUs, households={households}, lines/invoice="
            f"{n_lines / max(1, result.created):.2f})"
        )


if __name__ == "__main__":
    main()
