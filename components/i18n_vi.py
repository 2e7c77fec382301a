"""Vietnamese texts of the catalog (Tiếng Việt): ``components.i18n.CATALOG``'s keys, in its order.

One entry per catalog key, with the same ``{placeholders}`` as the Chinese and English texts;
``components.i18n.translate`` falls back to English for a key missing here.
"""
from __future__ import annotations

VIETNAMESE: dict[str, str] = {}
