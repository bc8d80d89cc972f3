"""What an uploaded file really is, judged by its bytes, never by its name or its
declared type; and the clean copy that is kept.

Photos (JPEG, PNG, HEIC from iPhones) are decoded by Pillow and encoded again: what is
kept has the pixels, turned upright, and nothing else — no location, no camera, no
date, no thumbnail. HEIC becomes JPEG, which every browser shows. A PDF is kept as
sent once its structure looks like a PDF (header and end-of-file marker).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()
# A photo of a document from any phone is far below this; a "decompression bomb" (a
# small file that decodes to gigapixels) is refused instead of filling the memory.
MAX_PIXELS = 50_000_000
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/jpeg"}
REFUSED = "Tệp không phải ảnh (JPEG, PNG, HEIC) hay PDF, hoặc đã hỏng."


class RefusedDocument(ValueError):
    pass


@dataclass(frozen=True)
class PreparedDocument:
    data: bytes
    content_type: str  # image/jpeg, image/png, application/pdf
    extension: str


def _pdf(path: Path) -> PreparedDocument:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise RefusedDocument("Tệp PDF bị hỏng hoặc chưa tải lên hết.")
    return PreparedDocument(data=data, content_type="application/pdf", extension="pdf")


def _image(path: Path, max_side: int) -> PreparedDocument:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                if opened.format not in IMAGE_FORMATS:
                    raise RefusedDocument(REFUSED)
                if opened.width * opened.height > MAX_PIXELS:
                    raise RefusedDocument("Ảnh quá lớn (quá nhiều điểm ảnh).")
                kind = opened.format
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, RefusedDocument):
            raise
        raise RefusedDocument(REFUSED) from None
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if kind == "PNG":
        # Lossless for screenshots and scans; no text chunks or EXIF are carried over.
        keep = upright if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else upright.convert("RGBA")
        keep.save(out, format="PNG", optimize=True)
        return PreparedDocument(data=out.getvalue(), content_type="image/png", extension="png")
    rgb = upright if upright.mode in ("RGB", "L") else upright.convert("RGB")
    rgb.save(out, format="JPEG", quality=85, optimize=True)
    return PreparedDocument(data=out.getvalue(), content_type="image/jpeg", extension="jpg")


def prepare_document(path: Path, *, max_side: int) -> PreparedDocument:
    """The clean copy to keep, or RefusedDocument with a Vietnamese reason."""
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise RefusedDocument("Tệp rỗng.")
    if head.startswith(b"%PDF-"):
        return _pdf(path)
    return _image(path, max_side)
