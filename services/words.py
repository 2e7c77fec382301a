"""Words in Chinese and English text for the reports' frequent problems: TextRank keywords.

Splitting text into words and search terms lives with the search index in :mod:`data_access.words`; it is
re-exported here so services and pages have one place to take words from.
"""
from __future__ import annotations

from collections.abc import Iterable

import jieba.analyse

from data_access.words import STOP_WORDS, character_pairs, search_terms, words

__all__ = ["STOP_WORDS", "character_pairs", "keywords", "search_terms", "words"]


def keywords(texts: Iterable[str], top_k: int = 5) -> list[tuple[str, float]]:
    """The ``top_k`` most central words of ``texts`` by TextRank (jieba.analyse), with their weights (max 1).

    Nouns and verbs only (TextRank's default parts of speech), stop words removed; the same texts always give
    the same list, so a report built twice states the same problems.
    """
    joined = "\n".join(text for text in texts if text)
    if not joined.strip():
        return []
    ranked = jieba.analyse.textrank(joined, topK=top_k + len(STOP_WORDS), withWeight=True)
    return [(word, round(float(weight), 6)) for word, weight in ranked if word not in STOP_WORDS][:top_k]
