"""The content forms of the admin, read from the request: an item's fields (moments typed
in Paris time), its files, a menu's week of dishes. Plain values for workflows.content."""

from __future__ import annotations

import datetime as dt

from flask import current_app, request

from workflows.calendar import PARIS, from_utc_naive, to_utc_naive
from workflows.content import Files, ItemInput
from workflows.content_files import Store, Upload
from workflows.menus import ALLERGENS, CONTAINS, COURSES, LABELS, DishInput, week_days


class FormError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def local_input(moment: dt.datetime | None) -> str:
    """A stored moment (naive UTC) as a datetime-local field's value, in Paris time."""
    if moment is None:
        return ""
    return from_utc_naive(moment).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def _moment(name: str, label: str) -> dt.datetime | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        local = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{label} : date et heure attendues (jj/mm/aaaa hh:mm).", name) from None
    return to_utc_naive(local.replace(tzinfo=PARIS))


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


def item_input(kind: str) -> ItemInput:
    week = (request.form.get("week_start") or "").strip()
    try:
        week_start = dt.date.fromisoformat(week) if week else None
    except ValueError:
        raise FormError("Semaine : une date est attendue.", "week_start") from None
    return ItemInput(
        kind=kind,
        folder_id=_int("folder"),
        title=request.form.get("title", ""),
        slug=request.form.get("slug", ""),
        summary=request.form.get("summary", ""),
        body=request.form.get("body", ""),
        effective_at=_moment("effective_at", "Date de publication"),
        expires_at=_moment("expires_at", "Date d'expiration"),
        image_alt=request.form.get("image_alt", ""),
        to_read=request.form.get("to_read") == "1",
        site_id=_int("site"),
        week_start=week_start,
        position=_int("position") or 0,
    )


def _upload(name: str, limit: int) -> Upload | None:
    sent = request.files.get(name)
    if sent is None or not sent.filename:
        return None
    return Upload(sent.filename, sent.stream.read(limit + 1))


def files() -> Files:
    cfg = current_app.config
    return Files(
        Store(cfg["CONTENT_DIR"]),
        document=_upload("file", cfg["CONTENT_MAX_PDF"]),
        image=_upload("image", cfg["CONTENT_MAX_IMAGE"]),
        remove_image=request.form.get("remove_image") == "1",
        max_pdf=cfg["CONTENT_MAX_PDF"],
        max_image=cfg["CONTENT_MAX_IMAGE"],
    )


def dishes(week_start: dt.date) -> list[DishInput]:
    """The week's grid: one dish per course and day, fields dish-<day>-<course>-…"""
    out = []
    for i, day in enumerate(week_days(week_start)):
        for course in COURSES:
            key = f"dish-{i}-{course}"
            name = request.form.get(f"{key}-name", "")
            if not name.strip():
                continue
            out.append(
                DishInput(
                    day,
                    course,
                    name,
                    tuple(c for c in request.form.getlist(f"{key}-label") if c in LABELS),
                    tuple(c for c in request.form.getlist(f"{key}-allergen") if c in ALLERGENS),
                    tuple(c for c in request.form.getlist(f"{key}-contains") if c in CONTAINS),
                )
            )
    return out
