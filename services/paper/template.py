"""The printable monthly sheet: a one-page A4 PDF with the project, the month, a labelled box per field, a QR
code naming the sheet and four corner anchors (the reader finds the page by them).

Everything is placed absolutely in millimetres from :mod:`services.paper.layout`. Labels are printed in Chinese
with English beside them; names from the indicator library are data and escaped.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from components.formatting import month
from components.i18n import translate
from services.paper.layout import (
    ANCHOR,
    ANCHOR_AT,
    LABEL_X,
    NOTE_BOX,
    PAGE_H,
    PAGE_W,
    QR_AT,
    QR_SIDE,
    SheetCode,
    payload,
    sheet_layout,
)
from services.report_center.pdf import html_to_pdf


@dataclass(frozen=True)
class Field:
    """One KPI of the sheet: its code and its printed label in both languages (unit included)."""

    code: str
    label_zh: str
    label_en: str


def _both(key: str, **values: object) -> str:
    return f"{translate(key, 'zh', **values)} · {translate(key, 'en', **values)}"


def _at(x: float, y: float, w: float | None = None, h: float | None = None) -> str:
    size = (f"width:{w:.2f}mm;" if w is not None else "") + (f"height:{h:.2f}mm;" if h is not None else "")
    return f"left:{x:.2f}mm;top:{y:.2f}mm;{size}"


def sheet_html(code: SheetCode, project_name: str, fields: Sequence[Field]) -> str:
    layout = sheet_layout([field.code for field in fields])
    qr = segno.make(payload(code), error="m", micro=False).svg_data_uri(border=0, scale=4)
    parts = [f'<div class="anchor" style="{_at(x, y, ANCHOR, ANCHOR)}"></div>' for x, y in ANCHOR_AT]
    parts.append(f'<img class="qr" alt="QR" src="{qr}" style="{_at(*QR_AT, QR_SIDE, QR_SIDE)}">')
    parts.append(f'<div class="title" style="{_at(24, 10)}">{html.escape(_both("paper.title"))}</div>')
    parts.append(f'<div class="head" style="{_at(LABEL_X, 26, 138)}">'
                 f'{html.escape(_both("paper.project"))}<br><b>{html.escape(code.project_code)}</b> '
                 f'{html.escape(project_name)}</div>')
    parts.append(f'<div class="head" style="{_at(LABEL_X, 42, 138)}">{html.escape(_both("paper.period"))}<br>'
                 f'<b>{month(code.period, "zh")} · {month(code.period, "en")}</b></div>')
    parts.append(f'<div class="hint" style="{_at(LABEL_X, 53, 178)}">{html.escape(_both("paper.hint"))}</div>')
    for field, box in zip(fields, layout.boxes, strict=False):
        parts.append(f'<div class="label" style="{_at(LABEL_X, box.y, box.x - LABEL_X - 2, box.h)}">'
                     f'{html.escape(field.label_zh)}<br><span class="en">{html.escape(field.label_en)}</span></div>')
        parts.append(f'<div class="box" style="{_at(box.x, box.y, box.w, box.h)}"></div>')
    x, y, w, h = NOTE_BOX
    parts.append(f'<div class="label" style="{_at(x, y - 5, w)}">{html.escape(_both("paper.note"))}</div>')
    parts.append(f'<div class="box" style="{_at(x, y, w, h)}"></div>')
    parts.append(f'<div class="hint" style="{_at(30, y + h + 4, 150)}">{html.escape(_both("paper.signed"))}'
                 f'</div>')
    parts.append(f'<div class="foot" style="{_at(30, PAGE_H - 12, 150)}">'
                 f'{html.escape(_both("paper.version", version=code.version))}</div>')
    style = (f"@page {{ size: {PAGE_W}mm {PAGE_H}mm; margin: 0; }}"
             "body { margin: 0; font-family: 'Noto Sans CJK SC', sans-serif; color: #000; }"
             "div, img { position: absolute; box-sizing: border-box; }"
             ".anchor { background: #000; } .title { font-size: 15pt; font-weight: bold; }"
             ".head { font-size: 9pt; line-height: 1.5; } .hint, .foot { font-size: 7.5pt; color: #444; }"
             ".label { font-size: 8.5pt; line-height: 1.15; overflow: hidden; }"
             ".label .en { font-size: 6.5pt; color: #555; }"
             ".box { border: 0.3mm solid #9a9a9a; }")
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><style>{style}</style></head>'
            f'<body>{"".join(parts)}</body></html>')


def sheet_pdf(code: SheetCode, project_name: str, fields: Sequence[Field]) -> bytes:
    return html_to_pdf(sheet_html(code, project_name, fields))
