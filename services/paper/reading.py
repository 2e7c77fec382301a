"""Reading a photographed or scanned monthly sheet, without the OCR engine itself: pure image and text work.

1. :func:`find_sheet` decodes the sheet's QR code (zxing-cpp); no perfdash code, no sheet.
2. :func:`page_transform` maps the printed page onto the photo: first from the QR code's corners, then, where the
   four black corner anchors are found near where the QR code puts them, from anchors and QR together with a
   perspective fit (a phone photo is rarely square on).
3. :func:`straightened` redraws the page upright at ``PX_PER_MM``, lightly denoised; :func:`ink_only` keeps only
   the insides of the boxes (labels and box lines would only confuse the engine).
4. :func:`fields_from_words` assigns the engine's words (with their confidence) to the boxes they sit in and
   turns a box's words into a number, or into the note's text.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from services.paper.layout import (
    ANCHOR,
    ANCHOR_AT,
    PAGE_H,
    PAGE_W,
    QR_AT,
    QR_SIDE,
    Box,
    SheetCode,
    SheetLayout,
    parse_payload,
)

PX_PER_MM = 6.0  # the straightened page: figures written 5 mm high come out about 30 px, what the engine likes
INSET_MM = 1.0  # what is cut off each box's edge (its printed line)
ANCHOR_SEARCH_MM = 9.0
DARK = 110  # grey level below which a pixel is ink (after autocontrast)
PAPER = 160  # grey level above which a pixel inside a box is paper
INK_MM2 = 1.0  # a box with more ink than this (in square millimetres) was written in
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class FoundSheet:
    code: SheetCode
    corners: tuple[tuple[float, float], ...]  # the QR symbol's corners in the photo: TL, TR, BR, BL


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0–1
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class FieldReading:
    """What one box held: its text, the number in it (numeric boxes), how sure the engine was (0–1)."""

    name: str
    text: str
    value: float | None
    confidence: float


def upright(image: Image.Image) -> Image.Image:
    """The photo as the camera held it (EXIF orientation applied), in grey."""
    return ImageOps.exif_transpose(image).convert("L")


def find_sheet(image: Image.Image) -> FoundSheet | None:
    """The perfdash sheet in ``image`` by its QR code, or None (a blank page, another document, another code)."""
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        code = parse_payload(barcode.text)
        if code is not None:
            position = barcode.position
            corners = tuple((float(point.x), float(point.y)) for point in
                            (position.top_left, position.top_right, position.bottom_right, position.bottom_left))
            return FoundSheet(code, corners)
    return None


def qr_corners_mm() -> list[tuple[float, float]]:
    (x, y), side = QR_AT, QR_SIDE
    return [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]


def fit(page: Sequence[tuple[float, float]], photo: Sequence[tuple[float, float]],
        perspective: bool) -> np.ndarray:
    """The 3×3 matrix taking page millimetres to photo pixels (least squares; affine unless ``perspective``)."""
    rows, targets = [], []
    for (x, y), (u, v) in zip(page, photo, strict=True):
        if perspective:
            rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        else:
            rows += [[x, y, 1, 0, 0, 0], [0, 0, 0, x, y, 1]]
        targets += [u, v]
    solution = np.linalg.lstsq(np.array(rows, float), np.array(targets, float), rcond=None)[0]
    return np.append(solution, [0.0, 0.0, 1.0][len(solution) - 6:]).reshape(3, 3)


def to_photo(matrix: np.ndarray, x: float, y: float) -> tuple[float, float]:
    u, v, w = matrix @ np.array([x, y, 1.0])
    return float(u / w), float(v / w)


def _anchor_centre(ink: np.ndarray, guess: tuple[float, float], px_per_mm: float) -> tuple[float, float] | None:
    """The centre of the ink near ``guess`` when it is about an anchor's size (nothing else is printed that
    close to a corner), or None."""
    radius = ANCHOR_SEARCH_MM * px_per_mm
    left, top = max(int(guess[0] - radius), 0), max(int(guess[1] - radius), 0)
    window = ink[top:max(int(guess[1] + radius), 0), left:max(int(guess[0] + radius), 0)]
    area = int(window.sum())
    if not 0.5 <= area / (ANCHOR * px_per_mm) ** 2 <= 2.0:
        return None
    rows, columns = np.nonzero(window)
    return left + float(columns.mean()), top + float(rows.mean())


def page_transform(image: Image.Image, found: FoundSheet) -> np.ndarray:
    """Page millimetres → photo pixels: from the QR code, refined by the corner anchors found."""
    page, photo = qr_corners_mm(), list(found.corners)
    rough = fit(page, photo, perspective=False)
    px_per_mm = float(np.sqrt(abs(np.linalg.det(rough[:2, :2]))))
    ink = np.asarray(ImageOps.autocontrast(image)) < DARK
    anchors = []
    for x, y in ANCHOR_AT:
        centre = (x + ANCHOR / 2, y + ANCHOR / 2)
        seen = _anchor_centre(ink, to_photo(rough, *centre), px_per_mm)
        if seen is not None:
            anchors.append((centre, seen))
    if len(anchors) < 3:
        return rough
    page += [centre for centre, _ in anchors]
    photo += [seen for _, seen in anchors]
    return fit(page, photo, perspective=len(anchors) == 4)


def straightened(image: Image.Image, matrix: np.ndarray) -> Image.Image:
    """The page upright, ``PX_PER_MM`` pixels a millimetre, contrast stretched and speckles removed."""
    scale = np.diag([1 / PX_PER_MM, 1 / PX_PER_MM, 1.0])
    out = matrix @ scale  # straightened pixels → photo pixels
    out = out / out[2, 2]
    size = (round(PAGE_W * PX_PER_MM), round(PAGE_H * PX_PER_MM))
    page = image.transform(size, Image.Transform.PERSPECTIVE, tuple(out.flatten()[:8]),
                           resample=Image.Resampling.BILINEAR, fillcolor=255)
    return ImageOps.autocontrast(page.filter(ImageFilter.MedianFilter(3)), cutoff=1)


def box_pixels(box: Box, inset: float = INSET_MM) -> tuple[int, int, int, int]:
    return (round((box.x + inset) * PX_PER_MM), round((box.y + inset) * PX_PER_MM),
            round((box.x + box.w - inset) * PX_PER_MM), round((box.y + box.h - inset) * PX_PER_MM))


def ink_only(page: Image.Image, boxes: Iterable[Box]) -> Image.Image:
    """A white page with only the ink inside ``boxes`` copied in (pale paper and speckles turned white)."""
    blank = Image.new("L", page.size, 255)
    for box in boxes:
        area = box_pixels(box)
        blank.paste(page.crop(area).point(lambda level: 255 if level > PAPER else level), area[:2])
    return blank


def crop_png(page: Image.Image, box: Box) -> bytes:
    """The box as it was written (with its line), a PNG to show beside the value."""
    buffer = io.BytesIO()
    page.crop(box_pixels(box, inset=-1.0)).save(buffer, format="PNG")
    return buffer.getvalue()


def parse_tsv(tsv: str) -> list[Word]:
    """The words of the engine's TSV output (level 5 rows with text), confidence as 0–1."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and text:
            words.append(Word(text, max(float(row["conf"]), 0.0) / 100, int(row["left"]), int(row["top"]),
                              int(row["width"]), int(row["height"])))
    return words


def _joined(words: Iterable[Word]) -> str:
    """Words in reading order; no space between two Chinese characters."""
    text = ""
    for word in words:
        if text and not (_CJK.match(text[-1]) and _CJK.match(word.text[0])):
            text += " "
        text += word.text
    return text


def as_number(text: str) -> float | None:
    """A box's text as a number: full-width digits and thousands separators allowed, nothing else."""
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").rstrip("%")
    return float(cleaned) if _NUMBER.fullmatch(cleaned) else None


def written_in(page: Image.Image, layout: SheetLayout) -> set[str]:
    """The boxes with ink in them (something was written, whether or not the engine reads it)."""
    least = INK_MM2 * PX_PER_MM ** 2
    return {box.name for box in layout.boxes if int((np.asarray(page.crop(box_pixels(box))) < DARK).sum()) > least}


def fields_from_words(words: Sequence[Word], layout: SheetLayout,
                      written: Iterable[str] = ()) -> dict[str, FieldReading]:
    """Each box that has words in it (``words`` in the engine's reading order): its text, number and confidence
    (a figure: its least sure word, 0 when the text is no number; the note: its words' mean). A box
    ``written`` in without words the engine read is there too, empty, with confidence 0."""
    readings = {name: FieldReading(name, "", None, 0.0) for name in written}
    for box in layout.boxes:
        left, top, right, bottom = box_pixels(box)
        inside = [word for word in words if left <= word.left + word.width / 2 <= right  # the engine's order
                  and top <= word.top + word.height / 2 <= bottom]
        if not inside:
            continue
        text = _joined(inside)
        value = as_number(text) if box.numeric else None
        if box.numeric:
            confidence = min(word.confidence for word in inside) if value is not None else 0.0
        else:
            confidence = sum(word.confidence for word in inside) / len(inside)
        readings[box.name] = FieldReading(box.name, text, value, confidence)
    return readings
