"""A document is a PDF, checked by its content and its name, and size-limited; refused with
a French message and nothing half-saved (no row, no file). Served with its type and a
download name."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.content import ContentItem
from workflows import content
from workflows.content import ContentError
from workflows.content_files import Upload

from ..forms import csrf_token
from .conftest import PNG, pdf_bytes, upload


def _stored_files(app) -> list[Path]:
    root = Path(app.config["CONTENT_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


REFUSED = {
    "not a PDF": (b"<html>not a pdf</html>", "reglement.pdf", "n'est pas un PDF"),
    "a PDF with a wrong extension": (None, "reglement.docx", "« .pdf »"),
    "empty": (b"", "vide.pdf", "vide"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_document_is_refused_and_nothing_is_saved(case, app, site):
    data, name, words = case
    before = _stored_files(app)
    docs = content.ItemInput("document", site.food.id, "Règlement")
    with pytest.raises(ContentError) as refused:
        content.create_item(
            site.editor,
            site.town.id,
            docs,
            site.files(document=Upload(name, pdf_bytes() if data is None else data)),
        )
    assert words in str(refused.value) or (name == "vide.pdf" and "Joignez" in str(refused.value))
    assert refused.value.field == "file"
    assert not ContentItem.select().exists()
    assert _stored_files(app) == before


def test_a_document_too_large_is_refused(app, site):
    big = pdf_bytes() + b"%" * 5000
    docs = content.ItemInput("document", site.food.id, "Trop gros")
    files = site.files(document=Upload("gros.pdf", big), max_pdf=4096)
    with pytest.raises(ContentError) as refused:
        content.create_item(site.editor, site.town.id, docs, files)
    assert "trop volumineux" in str(refused.value) and "4 Ko au plus" in str(refused.value)
    assert not ContentItem.select().exists() and _stored_files(app) == []


def test_a_document_needs_its_file(site):
    with pytest.raises(ContentError) as refused:
        content.create_item(
            site.editor,
            site.town.id,
            content.ItemInput("document", site.food.id, "Sans"),
            site.files(),
        )
    assert "Joignez le document PDF" in str(refused.value)


def test_through_the_admin_form_a_bad_file_is_refused_in_french(app, site, auth):
    editor = auth.login(site.editor_account)
    app.config["CONTENT_MAX_PDF"] = 4096
    page = editor.get("/admin/contenus/nouveau?type=document").get_data(as_text=True)
    base = {"csrf_token": csrf_token(page), "kind": "document", "folder": site.food.id}
    for data, name, words in (
        (b"GIF89a", "reglement.pdf", "est pas un PDF"),
        (pdf_bytes(), "reglement.txt", "« .pdf »"),
        (pdf_bytes() + b"%" * 5000, "gros.pdf", "trop volumineux"),
    ):
        r = editor.post(
            "/admin/contenus/nouveau",
            data={**base, "title": "Règlement", "file": upload(data, name)},
            content_type="multipart/form-data",
        )
        assert r.status_code == 400
        assert words in r.get_data(as_text=True)
        assert 'value="Règlement"' in r.get_data(as_text=True)  # what was typed stays
    assert not ContentItem.select().exists() and _stored_files(app) == []


def test_a_document_is_served_as_a_pdf_with_a_download_name(app, site, client):
    doc = site.item(
        "Règlement intérieur 2027",
        kind="document",
        folder=site.food,
        files=site.files(document=Upload("scan_0042.PDF", pdf_bytes())),
    )
    assert doc.download_name == "reglement-interieur-2027.pdf"
    r = client.get(site.address(doc) + "/fichier")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == "inline; filename=reglement-interieur-2027.pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.data == pdf_bytes()
    r.close()
    page = client.get(site.address(doc)).get_data(as_text=True)
    assert "Télécharger le document" in page and "PDF," in page


def test_replacing_a_file_removes_the_old_one_and_deleting_the_item_removes_its_file(app, site):
    data = content.ItemInput("document", site.food.id, "Doc")
    doc = content.create_item(
        site.editor, site.town.id, data, site.files(document=Upload("a.pdf", pdf_bytes()))
    )
    first = _stored_files(app)
    assert len(first) == 1
    doc = content.update_item(
        site.editor, doc, data, site.files(document=Upload("b.pdf", pdf_bytes() + b"\n"))
    )
    second = _stored_files(app)
    assert len(second) == 1 and second != first
    content.delete_item(site.editor, doc, site.store)
    assert _stored_files(app) == [] and not ContentItem.select().exists()


def test_a_news_image_is_a_png_or_jpeg_with_its_alternative_text(app, site, client):
    news = content.ItemInput("news", site.news_folder.id, "Avec image")
    with pytest.raises(ContentError) as refused:
        content.create_item(
            site.editor, site.town.id, news, site.files(image=Upload("x.gif", b"GIF89a..."))
        )
    assert "PNG ou JPEG" in str(refused.value)
    with pytest.raises(ContentError) as refused:
        content.create_item(site.editor, site.town.id, news, site.files(image=Upload("x.png", PNG)))
    assert refused.value.field == "image_alt"
    assert _stored_files(app) == []
    news.image_alt = "Les enfants à table"
    item = site.item(
        "Avec image", image_alt="Les enfants à table", files=site.files(image=Upload("x.png", PNG))
    )
    page = client.get(site.address(item)).get_data(as_text=True)
    assert 'alt="Les enfants à table"' in page
    image = client.get(site.address(item) + "/image")
    assert image.headers["Content-Type"] == "image/png" and image.data == PNG
    image.close()
