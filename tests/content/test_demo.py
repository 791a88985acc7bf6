"""The demo town's content (README): the folder tree, the published rules page with its
PDF, the published Christmas news, the private draft, one item waiting for review, this
week's and next week's menus (Monday's main dish: hachis parmentier), and the editor's and
reviewer's logins."""

from __future__ import annotations

import datetime as dt

from models.content import ContentItem, Dish, Folder
from workflows import menus
from workflows.content_demo import EDITOR, REVIEWER
from workflows.demo import create_demo

from ..forms import login


def test_the_demo_content(app, tmp_path, client):
    app.config["CONTENT_DIR"] = str(tmp_path / "content")  # as `flask demo-data` passes it
    create_demo(households=2, content_dir=app.config["CONTENT_DIR"])
    assert {f.title for f in Folder.select()} >= {
        "Restauration",
        "Périscolaire",
        "Vie de la commune",
    }
    states = {i.title: i.state for i in ContentItem.select()}
    rules = ContentItem.get(ContentItem.title == "Règlement intérieur de la restauration scolaire")
    assert rules.state == "published" and rules.file_name and rules.to_read
    assert states["Repas de Noël à la cantine"] == "published"
    assert states["Sortie au musée (brouillon)"] == "private"
    assert list(states.values()).count("pending") == 1
    week = menus.monday(dt.date.today())
    for start in (week, week + dt.timedelta(days=7)):
        assert (
            ContentItem.select()
            .where(
                ContentItem.kind == "menu",
                ContentItem.week_start == start,
                ContentItem.state == "published",
            )
            .exists()
        )
    monday_main = Dish.get(Dish.day == week, Dish.course == "main")
    assert monday_main.name == "Hachis parmentier"

    page = client.get("/commune/demo/restauration/reglement-interieur")
    assert page.status_code == 200
    pdf = client.get("/commune/demo/restauration/reglement-interieur/fichier")
    assert pdf.data.startswith(b"%PDF-")
    pdf.close()
    assert "Repas de Noël à la cantine" in client.get("/actualites").get_data(as_text=True)
    for email, password in (EDITOR, REVIEWER):
        assert login(app.test_client(), email, password).status_code == 302
