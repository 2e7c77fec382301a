"""What a photo's EXIF says (time and GPS position), and upright thumbnails, read with Pillow.

``DateTimeOriginal`` is the moment the shutter fired; its ``OffsetTimeOriginal`` says in which time zone, and
without one the time is taken as China time (UTC+8), where the sites are. GPS degrees come as
degree/minute/second rationals with N/S and E/W references. Values a camera writes when it knows nothing
(``0000:00:00 00:00:00``, a 0°/0° fix, a zero denominator) count as absent, never as a place or a time.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import ExifTags, Image, ImageOps

from scoring.checkin import CHINA_TIME, PhotoFacts

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _taken_at(exif_ifd: Mapping[int, Any]) -> dt.datetime | None:
    raw = exif_ifd.get(ExifTags.Base.DateTimeOriginal)
    try:
        moment = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _OFFSET.match(str(exif_ifd.get(ExifTags.Base.OffsetTimeOriginal, "")).strip("\x00 "))
    if offset is None:
        return moment.replace(tzinfo=CHINA_TIME)
    sign = -1 if offset[1] == "-" else 1
    minutes = sign * (int(offset[2]) * 60 + int(offset[3]))
    if abs(minutes) > 14 * 60:
        return moment.replace(tzinfo=CHINA_TIME)
    return moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))


def _degrees(value: object, reference: object, negative: str, limit: float) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) and its reference letter; None when unusable."""
    if not isinstance(value, Sequence) or len(value) != 3:
        return None
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    total = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(total) or not 0 <= total <= limit:
        return None
    return -total if str(reference).strip("\x00 ").upper() == negative else total


def _position(gps: Mapping[int, Any]) -> tuple[float | None, float | None]:
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S", 90)
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W", 180)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None, None
    return lat, lon


def photo_facts(data: bytes) -> PhotoFacts:
    """Time and position from a photo's EXIF; ``has_exif`` is False when it carries none (or none readable)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            if not exif:
                return PhotoFacts(has_exif=False)
            taken_at = _taken_at(exif.get_ifd(ExifTags.IFD.Exif))
            lat, lon = _position(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        return PhotoFacts(has_exif=False)
    return PhotoFacts(has_exif=True, taken_at=taken_at, lat=lat, lon=lon)


def thumbnail_jpeg(data: bytes, size: int) -> bytes:
    """A JPEG at most ``size`` pixels on its longer side, turned upright as the phone meant it (EXIF orientation)."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, far less memory and time
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((size, size))
        if upright.mode in ("RGBA", "LA", "P"):
            upright = upright.convert("RGBA")
            background = Image.new("RGB", upright.size, "white")
            background.paste(upright, mask=upright.getchannel("A"))
            upright = background
        elif upright.mode != "RGB":
            upright = upright.convert("RGB")
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=82)
    return out.getvalue()
