"""User-written text shown as plain text: names, plans, evidence, messages are data, never markup.

Streamlit renders Markdown (images, links, ``:colour[…]``, ``$…$``) in markdown, captions, titles, labels and
alerts, and plotly renders ``<a href>``, ``<b>``, ``<br>`` in chart labels. A project manager could otherwise
make every official's browser fetch an outside image or click a planted link. ``plain`` is for Streamlit
text, ``html_text`` for plotly text, hover and tick labels.
"""
from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# GFM turns bare "http://…", "www.…" and "name@host" into links after escapes are resolved; an invisible word
# joiner before "://", "." and "@" keeps them text
_AUTOLINK = re.compile(r"(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` as a Markdown fragment that shows exactly these characters: all ASCII punctuation
    backslash-escaped (CommonMark allows it for each), no autolinks, whitespace and line breaks as one space."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, " ".join(str(text).split()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)


def html_text(text: object) -> str:
    """``text`` for a plotly label: ``&``, ``<`` and ``>`` as entities, which plotly shows as characters."""
    return html.escape(str(text), quote=False)
