"""The OCR engine and the PDF rasteriser: Debian's ``tesseract`` (with ``chi_sim``) and poppler's ``pdftoppm``,
called as programs on this machine; nothing leaves it."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

DIGITS = "0123456789.-"
TIMEOUT_S = 60
PDF_DPI = 200


class EngineMissing(RuntimeError):
    """The OCR engine (or the PDF rasteriser) is not installed."""


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise EngineMissing(name)
    return found


def recognise_tsv(image: Image.Image, *, numbers: bool) -> str:
    """Tesseract's word table (TSV: boxes and confidences) for ``image``: sparse figures (English model, digits
    only) when ``numbers``, else a block of Chinese (and English) text."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    mode = (["-l", "eng", "--psm", "6", "-c", f"tessedit_char_whitelist={DIGITS}"] if numbers
            else ["-l", "chi_sim+eng", "--psm", "6"])
    done = subprocess.run([_program("tesseract"), "stdin", "stdout", *mode, "tsv"],
                          input=buffer.getvalue(), capture_output=True, timeout=TIMEOUT_S, check=True,
                          env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return done.stdout.decode("utf-8", errors="replace")


def first_pdf_page(data: bytes) -> Image.Image:
    """The first page of a PDF as an image at ``PDF_DPI``."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "scan.pdf")
        source.write_bytes(data)
        subprocess.run([_program("pdftoppm"), "-r", str(PDF_DPI), "-f", "1", "-l", "1", "-gray", "-singlefile",
                        str(source), str(Path(folder, "page"))], capture_output=True, timeout=TIMEOUT_S, check=True)
        # grey PGM, uncompressed: PNG output spent 10 s compressing a noisy scan
        with Image.open(Path(folder, "page.pgm")) as page:
            page.load()
            return page.copy()
