"""Summaries of notes: keywords and the two most central sentences (in their order) of crafted Chinese and
English notes, empty and very short notes, text kept as written (escaping is the page's), and problem types."""
from __future__ import annotations

import pytest

from services.note_summary import (
    PROBLEM_TYPES,
    NoteSummary,
    central_sentences,
    english_keywords,
    problem_types,
    split_sentences,
    summarise,
)

CHINESE = ["本月完成基坑开挖和基坑支护。受连续降雨影响，基坑土方外运延误三天。食堂已启用。",
           "基坑监测数据正常，雨季期间已加密基坑监测。"]
ENGLISH = ["Piling finished on the east side. Heavy rain delayed the excavation by three days.",
           "Drainage pumps keep the excavation dry during the rain. The canteen opened."]


def test_chinese_notes_give_textrank_keywords_and_their_two_most_central_sentences_in_order() -> None:
    assert summarise(CHINESE) == NoteSummary(
        keywords=("基坑", "外运", "土方", "延误", "降雨"),
        sentences=("本月完成基坑开挖和基坑支护。", "基坑监测数据正常，雨季期间已加密基坑监测。"))


def test_english_notes_take_the_english_path() -> None:
    assert summarise(ENGLISH) == NoteSummary(
        keywords=("rain", "excavation", "piling", "finished", "east"),
        sentences=("Heavy rain delayed the excavation by three days.",
                   "Drainage pumps keep the excavation dry during the rain."))


def test_the_unrelated_sentence_is_never_chosen_and_the_chosen_keep_their_order() -> None:
    sentences = ["The canteen opened.", "Rain stopped the paving crew.", "Paving resumes when the rain stops.",
                 "Paving crew doubled after the rain."]
    assert central_sentences(sentences) == ["Rain stopped the paving crew.", "Paving crew doubled after the rain."]
    assert central_sentences(list(reversed(sentences))) == ["Paving crew doubled after the rain.",
                                                            "Rain stopped the paving crew."]


def test_the_same_sentence_twice_counts_once() -> None:
    assert central_sentences(["资金未拨付。", "资金未拨付。", "材料已进场。"]) == ["资金未拨付。", "材料已进场。"]


@pytest.mark.parametrize(("texts", "expected"), [
    ([], NoteSummary((), ())),
    (["", "   ", "\n"], NoteSummary((), ())),
    (["好"], NoteSummary((), ("好",))),
    (["一句话。"], NoteSummary((), ("一句话。",))),
    (["Done."], NoteSummary(("done",), ("Done.",))),
])
def test_empty_and_very_short_notes(texts: list[str], expected: NoteSummary) -> None:
    assert summarise(texts) == expected


def test_markup_in_a_note_is_kept_as_written_for_the_page_to_escape() -> None:
    summary = summarise(["<script>alert(1)</script> **加粗**[链接](http://x.invalid)。资金未拨付。"])
    assert summary.sentences == ("<script>alert(1)</script> **加粗**[链接](http://x.invalid)。", "资金未拨付。")


def test_sentences_split_at_chinese_and_english_ends_but_not_inside_numbers() -> None:
    assert split_sentences("完成 3.5 公里。Rain; pumps added! Next? 继续\n\n施工") == [
        "完成 3.5 公里。", "Rain;", "pumps added!", "Next?", "继续", "施工"]


def test_english_keywords_skip_stop_words_and_short_words_and_break_ties_by_first_appearance() -> None:
    assert english_keywords(["The rain on site is a risk.", "Site rain: pumps on."], 4) == [
        "rain", "site", "risk", "pumps"]


def test_problem_types_count_each_text_once_per_type_most_first() -> None:
    found = problem_types(["资金未拨付，工期延误。", "Payment is late; permits pending.", "暴雨停工两天。",
                           "Funding arrived.", "食堂已启用。"])
    assert [(kind.key, n) for kind, n in found] == [("funding", 3), ("schedule", 2), ("approval", 1),
                                                    ("weather", 1)]


def test_english_terms_match_at_a_word_start_only() -> None:
    assert problem_types(["The drainage plan is refunded."]) == []  # "fund" inside "refunded" is no funding


def test_every_problem_type_has_both_names_and_terms_in_both_languages() -> None:
    for kind in PROBLEM_TYPES:
        assert kind.name_zh and kind.name_en
        assert any("\u4e00" <= term[0] <= "\u9fff" for term in kind.terms)
        assert any(term.isascii() for term in kind.terms)
