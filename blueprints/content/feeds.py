"""The news feed (Atom and RSS, with feedgen) and the search over visible content."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import Response, g, render_template, request

from web.urls import external_url, public_url
from workflows import content_public
from workflows.calendar import UTC
from workflows.rich_text import clean_html

from .blueprint import bp
from .common import entry_url, now
from .pages import _town_filter

FEED_SIZE = 20


def _feed() -> FeedGenerator:
    town = _town_filter()
    found, _ = content_public.news_page(1, town.id if town else None, now())
    home = external_url("content.news", ville=town.slug if town else None)
    fg = FeedGenerator()
    fg.id(home)
    fg.title(f"Actualités – {town.name}" if town else "Actualités – Portail Famille")
    fg.description("Les actualités publiées sur le Portail Famille.")
    fg.link(href=home, rel="alternate")
    fg.language("fr")
    latest = None
    for entry in reversed(found[:FEED_SIZE]):  # feedgen puts each new entry first
        item = entry.item
        link = public_url() + entry_url(entry)
        moment = (entry.shown_at or item.updated_at).replace(tzinfo=UTC)
        updated = item.updated_at.replace(tzinfo=UTC)
        fe = fg.add_entry()
        fe.id(link)
        fe.title(item.title)
        fe.link(href=link)
        fe.published(moment)
        fe.updated(max(moment, updated))
        if item.summary:
            fe.summary(item.summary)
        if item.body:
            fe.content(clean_html(item.body), type="html")
        latest = max(latest or moment, moment, updated)
    if latest:
        fg.updated(latest)
    return fg


@bp.route("/actualites/flux.atom")
def feed_atom():
    fg = _feed()
    fg.link(href=request.url, rel="self")
    return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")


@bp.route("/actualites/flux.rss")
def feed_rss():
    fg = _feed()
    fg.link(href=request.url, rel="self")
    return Response(fg.rss_str(pretty=True), mimetype="application/rss+xml")


@bp.route("/recherche")
def search():
    town = _town_filter()
    if town:
        g.content_town_id = town.id
    words = (request.args.get("q") or "").strip()[:200]
    found = content_public.search(words, town.id if town else None, now()) if words else []
    return render_template("content/search.html", words=words, entries=found, town=town)
