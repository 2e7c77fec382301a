"""What an uploaded file really is, decided by its bytes (never by its name or the browser's content type).

Photos are JPEG, PNG or WebP whose signature matches and which Pillow can open and verify; files are PDF, xlsx
and docx (an Office file is a zip holding its part list and the main part of its kind). Anything else — an SVG,
an HTML page or a program renamed ``.jpg`` — is refused with the accepted types named.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from data_access.errors import ValidationError

# Pillow's format name → (content type, file extension) of the photos we take.
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
OFFICE_PARTS = {
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
MAX_PIXELS = 80_000_000  # a 50-megapixel phone photo passes; a decompression bomb does not


@dataclass(frozen=True)
class FileType:
    """``kind`` is ``photo`` or ``file`` (the attachment kinds); ``extension`` names the stored file."""

    kind: str
    content_type: str
    extension: str


def unsupported() -> ValidationError:
    return ValidationError("Unsupported file type: photos must be JPEG, PNG or WebP; files PDF, xlsx or docx",
                           message_zh="不支持的文件类型：照片须为 JPEG、PNG 或 WebP，文件须为 PDF、xlsx 或 docx")


def _photo_format(data: bytes) -> str | None:
    """Pillow's name for the photo format the signature announces, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _verified_photo(data: bytes, expected: str) -> FileType:
    """The photo type, once Pillow agrees on the format and finds the image sound and of a sane size."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise unsupported()
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise unsupported() from exc
    content_type, extension = PHOTO_FORMATS[expected]
    return FileType("photo", content_type, extension)


def _office_file(data: bytes) -> FileType:
    """xlsx or docx by the parts the archive lists (nothing is unpacked: the file is only stored)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise unsupported() from exc
    if "[Content_Types].xml" in names:
        for part, (content_type, extension) in OFFICE_PARTS.items():
            if part in names:
                return FileType("file", content_type, extension)
    raise unsupported()


def sniff(data: bytes) -> FileType:
    """The type of ``data``, or :class:`ValidationError` when it is none we accept."""
    photo_format = _photo_format(data)
    if photo_format is not None:
        return _verified_photo(data, photo_format)
    if data.startswith(b"%PDF-"):
        return FileType("file", "application/pdf", "pdf")
    if data.startswith(b"PK\x03\x04"):
        return _office_file(data)
    raise unsupported()
