"""Chinese and English words for search and for the reports' frequent problems."""
import doctest

import data_access.words
from services.words import character_pairs, keywords, search_terms, words


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(data_access.words)
    assert result.failed == 0 and result.attempted >= 3


def test_a_query_segmented_differently_from_the_text_still_shares_its_terms():
    stored = set(search_terms("老旧小区加装电梯经验"))
    assert set(search_terms("加装电梯")) <= stored
    assert "梯经" in stored and "梯经" not in words("老旧小区加装电梯经验")  # pairs cross word boundaries


def test_english_is_lower_cased_and_stop_words_are_dropped():
    assert words("The Elevator of the OLD estate") == ["elevator", "old", "estate"]
    assert character_pairs("abc") == []


def test_keywords_are_the_central_words_and_the_same_every_time():
    notes = ["加装电梯进度滞后，资金不到位", "电梯安装延期，居民协调困难", "资金拨付滞后，施工停工"]
    first = keywords(notes, top_k=3)
    assert {word for word, _ in first} == {"滞后", "电梯", "资金"}  # each appears twice; 停工, 居民 … once
    assert first[0][1] == 1.0 and keywords(notes, top_k=3) == first
    assert keywords(["", "  "]) == []
