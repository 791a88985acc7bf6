"""Helpers for the content tests: a town with its folders, its editor and reviewer, and
items put in any state through the operations themselves."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from models import utcnow
from models.content import ContentItem
from workflows import content, publication
from workflows.accounts import actor_for
from workflows.content_files import Store, Upload
from workflows.content_folders import FolderInput, save_folder
from workflows.documents import html_to_pdf

from .. import factories as f


def pdf_bytes() -> bytes:
    """A real (small) PDF, made once."""
    if not hasattr(pdf_bytes, "data"):
        pdf_bytes.data = html_to_pdf("<p>Règlement intérieur</p>")
    return pdf_bytes.data


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92"
    b"\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Site:
    """A town's content set-up: its folders, its editor and reviewer (accounts and actors)."""

    def __init__(self, app, town, editor_roles="editor", reviewer_roles="reviewer") -> None:
        self.app = app
        self.town = town
        self.store = Store(app.config["CONTENT_DIR"])
        self.editor_account = f.staff(town, editor_roles)
        self.reviewer_account = f.staff(town, reviewer_roles)
        self.editor = actor_for(self.editor_account)
        self.reviewer = actor_for(self.reviewer_account)
        self.food = save_folder(self.editor, town.id, FolderInput("Restauration", "restauration"))
        self.news_folder = save_folder(
            self.editor, town.id, FolderInput("Vie de la commune", "vie-de-la-commune")
        )

    def files(self, **kw) -> content.Files:
        return content.Files(self.store, **kw)

    def item(self, title: str, state: str = "published", kind: str = "news", **values):
        """An item in `state`: private, pending, published, or published but expired
        ('expired') or not yet effective ('not_yet')."""
        now = utcnow()
        folder = values.pop("folder", self.news_folder)
        files = values.pop("files", None)
        if state == "expired":
            values.setdefault("effective_at", now - dt.timedelta(days=3))
            values.setdefault("expires_at", now - dt.timedelta(hours=1))
        elif state == "not_yet":
            values.setdefault("effective_at", now + dt.timedelta(days=2))
        if kind == "document" and files is None:
            files = self.files(document=Upload("doc.pdf", pdf_bytes()))
        data = content.ItemInput(kind, folder.id, title, **values)
        item = content.create_item(self.editor, self.town.id, data, files or self.files())
        if state != "private":
            publication.fire(self.editor, item, "submit")
        if state in ("published", "expired", "not_yet"):
            publication.fire(self.reviewer, item, "publish")
        return ContentItem.get_by_id(item.id)

    def address(self, item) -> str:
        folder = {self.food.id: self.food, self.news_folder.id: self.news_folder}[item.folder_id]
        return f"/commune/{self.town.slug}/{folder.slug}/{item.slug}"


@pytest.fixture
def town(app):
    return f.town()


@pytest.fixture
def site(app, town, tmp_path):
    app.config["CONTENT_DIR"] = str(tmp_path / "content")  # each test's files of its own
    return Site(app, town)


def upload(data: bytes, name: str):
    """A file for a test client's form."""
    return (io.BytesIO(data), name)
