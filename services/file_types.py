"""What an uploaded file really is, decided by its bytes (never by its name or the browser's content type).

Photos are JPEG, PNG or WebP whose signature matches and which Pillow can open and verify; files are PDF, xlsx
and docx (an Office file is a zip holding its part list and the main part of its kind). Anything else — an SVG,
an HTML page or a program renamed ``.jpg`` — is refused with the accepted types named. A voice note is audio by
its container's signature: WAV, WebM, Ogg or MP3 (:func:`sniff_audio`; the general upload takes no audio).
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
    """``kind`` is ``photo``, ``file`` or ``audio`` (the attachment kinds); ``extension`` names the stored file."""

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


def not_audio() -> ValidationError:
    return ValidationError("A voice note must be a WAV, WebM, Ogg or MP3 recording",
                           message_zh="语音备注须为 WAV、WebM、Ogg 或 MP3 录音")


def _mp3_frame(data: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, then a version and layer III."""
    return len(data) >= 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 == 0x02


def sniff_audio(data: bytes) -> FileType:
    """The type of a voice note's ``data`` by its container's signature, or :class:`ValidationError`.

    >>> sniff_audio(b"RIFF\\x24\\x00\\x00\\x00WAVEfmt ").content_type
    'audio/wav'
    >>> sniff_audio(b"\\x89PNG\\r\\n\\x1a\\n")
    Traceback (most recent call last):
    ...
    data_access.errors.ValidationError: A voice note must be a WAV, WebM, Ogg or MP3 recording
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return FileType("audio", "audio/wav", "wav")
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return FileType("audio", "audio/webm", "webm")
    if data.startswith(b"OggS"):
        return FileType("audio", "audio/ogg", "ogg")
    if data.startswith(b"ID3") or _mp3_frame(data):
        return FileType("audio", "audio/mpeg", "mp3")
    raise not_audio()
