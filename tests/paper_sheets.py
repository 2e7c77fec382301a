"""Filled paper sheets for the OCR tests: the real template rendered to an image, values written into its boxes
with the CJK font, then turned a little, speckled and JPEG-compressed like a phone photo."""
from __future__ import annotations

import io
import random
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from services.paper.layout import SheetLayout

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 150


def page_image(pdf: bytes, dpi: int = DPI) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sheet.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", f"{folder}/sheet.pdf", f"{folder}/p"],
                       check=True)
        with Image.open(f"{folder}/p.png") as page:
            return page.convert("RGB")


def write_values(page: Image.Image, layout: SheetLayout, values: Mapping[str, str], dpi: int = DPI) -> Image.Image:
    """``values`` (box name → text) written into their boxes, in dark blue, 5 mm high."""
    filled = page.copy()
    draw = ImageDraw.Draw(filled)
    px = dpi / 25.4
    font = ImageFont.truetype(FONT, round(5 * px))
    boxes = {box.name: box for box in layout.boxes}
    for name, text in values.items():
        box = boxes[name]
        draw.text(((box.x + 4) * px, (box.y + box.h / 2) * px), text, fill=(20, 30, 90), font=font, anchor="lm")
    return filled


def photographed(page: Image.Image, *, degrees: float, seed: int, quality: int = 70) -> bytes:
    """``page`` turned by ``degrees`` on a grey table, speckled with noise, as JPEG bytes."""
    turned = page.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(170, 170, 165))
    pixels = np.asarray(turned).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape).astype(np.int16)
    speckled = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    speckled.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def random_values(codes: list[str], seed: int) -> dict[str, str]:
    """A figure for most fields (some left empty), with one to two decimals or none."""
    chooser = random.Random(seed)
    values = {}
    for code in codes:
        if chooser.random() < 0.85:
            number = chooser.choice([chooser.randint(0, 100), round(chooser.uniform(0, 5000), 1),
                                     round(chooser.uniform(0, 100), 2)])
            values[code] = f"{number:g}" if isinstance(number, int) else f"{number}"
    return values
