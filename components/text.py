"""User-written text shown as plain text: names, plans, evidence, messages are data, never markup.

Streamlit renders Markdown (images, links, ``:colour[…]``, ``$…$``) in markdown, captions, titles, labels and
alerts, and plotly renders ``<a href>``, ``<b>``, ``<br>`` in chart labels. A project manager could otherwise
make every official's browser fetch an outside image or click a planted link. ``plain`` is for Streamlit
text, ``html_text`` for plotly text, hover and tick labels.
"""
from __future__ import annotations

import html
import re

# Characters that start Markdown or Streamlit markup anywhere in a line: links and images ([ ] !), HTML and
# autolinks (<), entities (&), emphasis (* ~), code (`), tables (|), headings (#), LaTeX ($), emoji, icons and
# colours (:), and the escape itself (\\). "_" only at a word edge (inside a word it never emphasises, so
# PERFDASH_AUDIT_KEY stays as written); "-", "+" and "1." only where a line starts (lists).
_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]<>#|~$:&!]|(?<![^\W_])_|_(?![^\W_])|^[-+]")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")
# GFM turns bare "http://…", "www.…" and "name@host" into links after escapes are resolved; an invisible word
# joiner before "://", "." and "@" keeps them text
_AUTOLINK = re.compile(r"(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` as a Markdown fragment that shows exactly these characters: markup characters
    backslash-escaped, no autolinks, whitespace and line breaks as one space (so no block starts inside)."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, " ".join(str(text).split()))
    escaped = _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), unlinked)
    return _LIST_NUMBER.sub(r"\1\\\2", escaped)


def html_text(text: object) -> str:
    """``text`` for a plotly label: ``&``, ``<`` and ``>`` as entities, which plotly shows as characters."""
    return html.escape(str(text), quote=False)
