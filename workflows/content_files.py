"""The files of content: a document's PDF and a news item's image, checked (what the file
is, by its first bytes; its name; its size) before anything is written, and stored under
the content folder (CONTENT_DIR) by a random name, never the one the browser sent."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from .rich_text import slugify

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {  # first bytes -> (type, extension)
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


STORED_NAME = re.compile(r"[0-9]+/[0-9a-f]{32}\.(pdf|png|jpg)")


class FileRefused(Exception):
    """A file that may not be stored; the message is the French sentence to show."""


@dataclass(frozen=True)
class Upload:
    """A file as sent by a form: its name, its bytes."""

    filename: str
    data: bytes


def _size_fr(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} Mo" if n >= 1024 * 1024 else f"{max(1, n // 1024)} Ko"


def check_pdf(upload: Upload, max_bytes: int = MAX_PDF_BYTES) -> None:
    """A PDF, by its content and its name, of at most `max_bytes`."""
    if not upload.data:
        raise FileRefused("Le fichier est vide.")
    if len(upload.data) > max_bytes:
        raise FileRefused(
            f"Le fichier est trop volumineux ({_size_fr(len(upload.data))}) : "
            f"{_size_fr(max_bytes)} au plus."
        )
    if not upload.data.startswith(b"%PDF-"):
        raise FileRefused("Le fichier n'est pas un PDF : seuls les documents PDF sont acceptés.")
    if not upload.filename.lower().endswith(".pdf"):
        raise FileRefused(
            "Le nom du fichier doit se terminer par « .pdf » : renommez-le avant de l'envoyer."
        )


def image_type(upload: Upload, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[str, str]:
    """The (type, extension) of a PNG or JPEG image, or FileRefused."""
    if len(upload.data) > max_bytes:
        raise FileRefused(
            f"L'image est trop volumineuse ({_size_fr(len(upload.data))}) : "
            f"{_size_fr(max_bytes)} au plus."
        )
    for magic, found in IMAGE_TYPES.items():
        if upload.data.startswith(magic):
            return found
    raise FileRefused("L'image doit être au format PNG ou JPEG.")


def download_name(title: str, filename: str) -> str:
    """The name a document is downloaded under: its title, as a slug, '.pdf'."""
    base = slugify(title) or slugify(Path(filename).stem) or "document"
    return f"{base}.pdf"


class Store:
    """The content folder: files by random names, in one sub-folder per town."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """Where a stored name is; only names this store gave out are accepted."""
        if not STORED_NAME.fullmatch(name or ""):
            raise FileNotFoundError(name)
        return self.root / name

    def write(self, town_id: int, data: bytes, extension: str) -> str:
        """Write `data` and return its stored name ('<town>/<random><extension>')."""
        folder = self.root / str(int(town_id))
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{int(town_id)}/{secrets.token_hex(16)}{extension}"
        tmp = self.root / f"{name}.part"
        tmp.write_bytes(data)
        tmp.replace(self.root / name)
        return name

    def delete(self, name: str) -> None:
        if not name:
            return
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            pass
