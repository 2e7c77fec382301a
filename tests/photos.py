"""Photos for tests, made with Pillow: a JPEG with whatever EXIF a case needs (time, offset, GPS, orientation)."""
from __future__ import annotations

import datetime as dt
import io

from PIL import ExifTags, Image


def _dms(degrees: float) -> tuple[float, float, float]:
    """Degrees as EXIF's (degrees, minutes, seconds), seconds to a thousandth."""
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60, 3)
    return float(whole), float(minutes), seconds


def photo(*, taken: dt.datetime | None = None, offset: str | None = None, lat: float | None = None,
          lon: float | None = None, orientation: int | None = None, exif: bool = True, size: tuple[int, int] = (64, 48),
          image_format: str = "JPEG", colour: str = "steelblue") -> bytes:
    """A small photo; ``exif=False`` (or nothing to say) gives one with no EXIF block at all.

    ``taken`` is written as EXIF's local ``DateTimeOriginal`` (its tzinfo is ignored), ``offset`` as
    ``OffsetTimeOriginal`` ("+08:00"); a negative ``lat`` / ``lon`` is written as S / W.
    """
    image = Image.new("RGB", size, colour)
    image.paste((255, 0, 0), (0, 0, max(1, size[0] // 4), max(1, size[1] // 4)))  # top-left marker, to see turns
    data = Image.Exif()
    if exif:
        if orientation is not None:
            data[ExifTags.Base.Orientation] = orientation
        if taken is not None:
            data.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
            if offset is not None:
                data.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = offset
        if lat is not None and lon is not None:
            gps = data.get_ifd(ExifTags.IFD.GPSInfo)
            gps[ExifTags.GPS.GPSLatitudeRef] = "S" if lat < 0 else "N"
            gps[ExifTags.GPS.GPSLatitude] = _dms(abs(lat))
            gps[ExifTags.GPS.GPSLongitudeRef] = "W" if lon < 0 else "E"
            gps[ExifTags.GPS.GPSLongitude] = _dms(abs(lon))
        data[ExifTags.Base.Software] = "perfdash tests"  # so an EXIF block is there even when it says nothing else
    out = io.BytesIO()
    if exif:
        image.save(out, image_format, exif=data.tobytes())
    else:
        image.save(out, image_format)
    return out.getvalue()
