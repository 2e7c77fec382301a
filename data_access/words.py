"""Words in Chinese and English text: the knowledge base's search index and the reports' frequent problems.

Chinese has no spaces, so text is split into words with jieba (offline, its dictionary ships with the
package). Search matches on words *and* on every pair of adjacent Chinese characters, so a query the
segmenter splits differently from the stored text (加装电梯 → 加装 / 电梯, or a name jieba does not know) still
finds it. English is lower-cased and split on anything that is not a letter or digit.

In the data layer because the search index is: a case's stored terms are rebuilt from its texts on every save
(the demo's too), so the words must be at hand where the rows are written. TextRank keywords for the reports
are :mod:`services.words`.
"""
from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)  # it announces building its dictionary cache on the first use otherwise

_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+")
# Words that say nothing about a problem: particles, and the generic nouns of every progress note.
STOP_WORDS = frozenset({
    "的", "了", "和", "与", "及", "在", "是", "对", "已", "将", "等", "中", "为", "有", "未", "按", "并", "由",
    "项目", "工作", "情况", "问题", "进行", "完成", "推进", "相关", "目前", "本月", "进度",
    "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "is", "was", "be", "with", "by", "at",
})


def words(text: str) -> list[str]:
    """The words of ``text``: jieba's segmentation of its Chinese, lower-cased English words; no stop words.

    >>> words("老旧小区加装电梯 Elevator retrofit!")
    ['老旧', '小区', '加装', '电梯', 'elevator', 'retrofit']
    """
    found: list[str] = []
    for piece in re.split(r"([\u3400-\u9fff]+)", text.lower()):
        if _CJK.fullmatch(piece):
            found.extend(word for word in jieba.lcut(piece) if word.strip())
        else:
            found.extend(_LATIN.findall(piece))
    return [word for word in found if word not in STOP_WORDS]


def character_pairs(text: str) -> list[str]:
    """Every two adjacent Chinese characters: what makes a search independent of the segmenter.

    >>> character_pairs("加装电梯")
    ['加装', '装电', '电梯']
    """
    return [run[i:i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)]


def search_terms(text: str) -> list[str]:
    """The distinct terms stored for ``text`` and matched against a query: words, then character pairs.

    >>> search_terms("加装电梯")
    ['加装', '电梯', '装电']
    """
    return list(dict.fromkeys([*words(text), *character_pairs(text)]))

