"""The pure parts of reading a paper sheet: the QR code's text, the engine's word table, words into boxes."""
from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image, ImageDraw

from services.paper import SheetReading, SheetValue, observations_csv
from services.paper.layout import (
    NOTE,
    PAGE_H,
    PAGE_W,
    SheetCode,
    TooManyFields,
    max_fields,
    parse_payload,
    payload,
    sheet_layout,
)
from services.paper.reading import (
    PX_PER_MM,
    FieldReading,
    Word,
    as_number,
    box_pixels,
    fields_from_words,
    parse_tsv,
    written_in,
)


def test_the_sheet_code_round_trips_and_other_codes_are_not_sheets():
    code = SheetCode(12, "P410202-00012", dt.date(2026, 3, 1), "0123456789")
    assert payload(code) == "PERFDASH-SHEET|12|P410202-00012|2026-03|0123456789"
    assert parse_payload(payload(code)) == code
    assert [parse_payload(text) for text in ("https://example.com", "PERFDASH-SHEET|1|P|2026-13|0123456789",
                                             payload(code) + "|more", "")] == [None] * 4


def test_the_layout_version_follows_the_fields_and_one_page_has_a_limit():
    assert sheet_layout(["A", "B"]).version == sheet_layout(["A", "B"]).version != sheet_layout(["B", "A"]).version
    assert [box.name for box in sheet_layout(["A", "B"]).boxes] == ["A", "B", NOTE]
    with pytest.raises(TooManyFields):
        sheet_layout([f"K{i}" for i in range(max_fields() + 1)])


@pytest.mark.parametrize(("text", "number"), [("62.5", 62.5), ("１８３０", 1830.0), ("-3", -3.0), ("75%", 75.0),
                                              ("1 830", 1830.0), ("62.5.1", None), ("il;", None), ("", None)])
def test_a_box_text_is_a_number_or_nothing(text, number):
    assert as_number(text) == number


def _word(text, conf, box, dx=0):
    left, top, right, bottom = box_pixels(box)
    return Word(text, conf, left + 10 + dx, top + 5, 40, bottom - top - 10)


def test_words_go_to_the_box_they_sit_in_with_their_confidence():
    layout = sheet_layout(["PROG", "SPEND", "EMPTY"])
    prog, spend, _, note = layout.boxes
    words = [_word("62.5", 0.91, prog), _word("18", 0.95, spend), _word("30", 0.62, spend, dx=60),
             _word("本月", 0.9, note), _word("完工", 0.7, note, dx=60),
             Word("stray", 0.99, 0, 0, int(5 * PX_PER_MM), int(5 * PX_PER_MM))]
    read = fields_from_words(words, layout)
    assert set(read) == {"PROG", "SPEND", NOTE}
    assert (read["PROG"].value, read["PROG"].confidence) == (62.5, 0.91)
    assert (read["SPEND"].text, read["SPEND"].value, read["SPEND"].confidence) == ("18 30", 1830.0, 0.62)
    assert (read[NOTE].text, read[NOTE].value) == ("本月完工", None)
    assert read[NOTE].confidence == pytest.approx(0.8)


def test_the_engine_word_table_is_parsed():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t1260\t1782\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t700\t400\t80\t30\t91.5\t62.5\n"
           "5\t1\t1\t1\t1\t2\t800\t400\t10\t30\t-1\t \n")
    assert parse_tsv(tsv) == [Word("62.5", 0.915, 700, 400, 80, 30)]


def test_a_box_written_in_but_not_read_is_there_empty_and_unsure():
    layout = sheet_layout(["PROG", "SPEND"])
    prog, spend, note = layout.boxes
    page = Image.new("L", (round(PAGE_W * PX_PER_MM), round(PAGE_H * PX_PER_MM)), 255)
    left, top, _, _ = box_pixels(spend)
    ImageDraw.Draw(page).line([(left + 20, top + 5), (left + 90, top + 30)], fill=30, width=4)  # a scribble
    ImageDraw.Draw(page).point([(left + 200, top + 10)], fill=0)  # a speck is not writing
    assert written_in(page, layout) == {"SPEND"}
    read = fields_from_words([_word("62.5", 0.91, prog)], layout, written={"SPEND", "PROG"})
    assert read == {"PROG": FieldReading("PROG", "62.5", 62.5, 0.91), "SPEND": FieldReading("SPEND", "", None, 0.0)}
    assert note.name not in read


def test_the_figures_read_surely_become_a_monthly_figures_import_file():
    reading = SheetReading(SheetCode(7, "P410202-00007", dt.date(2026, 10, 1), "0123456789"), {
        "PROG": SheetValue("PROG", "62.5", 62.5, 0.9, b""), "SPEND": SheetValue("SPEND", "18?", None, 0.0, b""),
        "LOW": SheetValue("LOW", "7", 7.0, 0.5, b""), NOTE: SheetValue(NOTE, "已进场", None, 0.9, b"")}, 1.0)
    assert observations_csv(reading).decode().splitlines() == ["项目编码,指标编码,月份,数值",
                                                                "P410202-00007,PROG,2026-10,62.5"]
