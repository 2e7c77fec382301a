"""The demo's site photos: small, deterministic JPEGs of a building site, with the EXIF a phone writes (the time
it was taken in China time, the GPS position) or stripped of it, so the check-in has something to find."""
from __future__ import annotations

import datetime as dt
import io

from PIL import ExifTags, Image, ImageDraw

SIZE = (480, 360)


def _dms(degrees: float) -> tuple[float, float, float]:
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    return float(whole), float(minutes), round(((degrees - whole) * 60 - minutes) * 60, 3)


def _scene(seed: int) -> Image.Image:
    """Sky, ground and a few half-built blocks, placed by ``seed``."""
    width, height = SIZE
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.6)
    for y in range(height):
        t = y / height
        colour = (int(125 + 90 * t), int(170 + 50 * t), int(230 - 60 * t)) if y < horizon else \
                 (int(120 + 40 * t), int(105 + 25 * t), 72)
        draw.line([(0, y), (width, y)], fill=colour)
    for k in range(5):
        left = (seed * 89 + k * 97) % (width - 70)
        top = int(height * 0.25) + (seed * 13 + k * 29) % 60
        draw.rectangle([left, top, left + 60, horizon + 10], fill=(160 + 12 * k, 150, 140 - 12 * k),
                       outline=(70, 70, 70), width=3)
    crane = 40 + (seed * 53) % (width - 80)
    draw.line([(crane, horizon), (crane, 40)], fill=(230, 170, 30), width=5)
    draw.line([(crane - 30, 45), (crane + 120, 45)], fill=(230, 170, 30), width=4)
    return image


def site_photo(seed: int, *, taken: dt.datetime | None, lat: float | None, lon: float | None) -> bytes:
    """A JPEG whose EXIF holds ``taken`` (its local time) and the position; with neither, no EXIF at all."""
    out = io.BytesIO()
    image = _scene(seed)
    if taken is None and lat is None:
        image.save(out, "JPEG", quality=75)
        return out.getvalue()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "perfdash demo"
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", _dms(lat)
        gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", _dms(lon)
    image.save(out, "JPEG", quality=75, exif=exif.tobytes())
    return out.getvalue()
