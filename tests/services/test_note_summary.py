"""Summaries of notes: keywords and the two most central sentences (in their order) of crafted Chinese and
English notes, empty and very short notes, text kept as written (escaping is the page's), and problem types."""
from __future__ import annotations

import pytest

from services.note_summary import (
    PROBLEM_TYPES,
    NoteSummary,
    central_sentences,
    english_keywords,
    names_a_concern,
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
        # the most central sentence, and the delay: the most central (the only) one naming a concern
        sentences=("本月完成基坑开挖和基坑支护。", "受连续降雨影响，基坑土方外运延误三天。"))


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


def test_a_problem_written_once_is_not_crowded_out_by_routine_lines_that_share_their_words() -> None:
    routine = ["本月开展安全质量检查3次，排查隐患8处。", "本月开展安全质量检查2次，排查隐患5处。",
               "本月开展安全生产培训，检查质量。"]
    problem = "征地拆迁未完成，进度较计划滞后5个百分点。"  # shares no word with the others: TextRank ranks it last
    assert central_sentences([*routine, problem]) == [routine[0], problem]
    assert central_sentences(routine) == routine[:2]  # no concern: the two most central
    assert names_a_concern(problem) and not any(names_a_concern(line) for line in routine)


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


def test_a_sentence_saying_nothing_went_wrong_is_no_concern() -> None:
    assert not names_a_concern("开展安全生产月教育培训，未发生安全事故。")
    assert not names_a_concern("裸土覆盖、车辆冲洗到位，未收到环保投诉。")
    assert names_a_concern("资金未拨付，未发生安全事故。")  # the first 未 still is one
