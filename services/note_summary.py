"""Summaries of what people wrote (文字摘要): keywords, a two-sentence extractive summary, and problem types.

Pure text logic — no database, no Streamlit: callers pass the texts they read in the viewer's scope
(:func:`data_access.report_reads.period_texts`: report notes, value reasons, 整改 plans and evidence).

* Keywords: Chinese text by jieba's TextRank (:func:`services.words.keywords`); English text by word frequency
  without stop words (TextRank's parts of speech drop English words).
* Summary: TextRank over sentences. Sentences are split at 。！？；, a line break, or an English sentence end;
  two sentences are alike by the words they share (jieba's words for Chinese, lower-cased English words, stop
  words removed), normalised by their lengths as in TextRank's paper (shared / (log |a| + log |b|)); PageRank
  (damping 0.85) ranks them, the two most central are kept **in their original order**; ties go to the earlier
  sentence, so the same texts always give the same summary. A summary says what went wrong: where a sentence
  names a concern (滞后, 未, 短缺, delay, short …), the most central such sentence is always one of the two. A
  month's routine lines share their words and are central for that alone; a problem written once shares few,
  and TextRank by itself would never pick it.
* Problem types: a small table of types in both languages, each with the terms that name it; a text counts once
  for every type it mentions; the TOP5 is by the number of texts, then the table's order.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from data_access.words import words
from services.words import keywords as chinese_keywords

SUMMARY_SENTENCES = 2
# words that say something went wrong or is at risk; Chinese anywhere in a sentence, English at a word's start
CONCERN_TERMS = ("滞后", "延误", "延期", "未", "不足", "短缺", "缺口", "停工", "暂停", "困难", "问题", "风险", "影响",
                 "偏差", "超支", "逾期", "受阻", "delay", "behind", "late", "short", "stopp", "suspend", "risk",
                 "problem", "overrun", "unpaid", "blocked")
_NOTHING_HAPPENED = re.compile(r"未(?:发生|出现|发现|见|收到)")  # 未发生安全事故: good news, not a concern
TOP_KEYWORDS = 5
DAMPING = 0.85
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# a sentence ends at Chinese end punctuation or a line break, or at . ! ? followed by a space
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])(?=\s)|\n+")
ENGLISH_STOP_WORDS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "are", "as", "at", "be", "been", "before", "but", "by",
    "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "if", "in",
    "into", "is", "it", "its", "last", "month", "more", "no", "not", "of", "on", "one", "or", "our", "out",
    "over", "project", "progress", "she", "should", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "two", "up", "was", "we", "were", "what", "when", "which", "while",
    "will", "with", "work", "would",
})


@dataclass(frozen=True)
class NoteSummary:
    """Keywords (most central first) and at most two sentences (in the order they were written)."""

    keywords: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.keywords and not self.sentences


@dataclass(frozen=True)
class ProblemType:
    key: str
    name_zh: str
    name_en: str
    terms: tuple[str, ...]  # Chinese terms match anywhere; English ones at the start of a word, any case


PROBLEM_TYPES = (
    ProblemType("funding", "资金拨付", "Funding and payments",
                ("资金", "拨付", "付款", "欠款", "预算", "funding", "fund", "payment", "budget")),
    ProblemType("land", "征地拆迁", "Land and relocation",
                ("征地", "拆迁", "用地", "迁改", "land acquisition", "relocation", "demolition")),
    ProblemType("approval", "审批手续", "Approvals and permits",
                ("审批", "手续", "许可", "批复", "报建", "approval", "permit")),
    ProblemType("schedule", "进度滞后", "Schedule slippage",
                ("滞后", "延误", "延期", "工期", "停工", "delay", "behind schedule", "slipp")),
    ProblemType("safety", "安全质量", "Safety and quality",
                ("安全", "质量", "隐患", "事故", "safety", "quality", "hazard", "defect")),
    ProblemType("materials", "材料设备", "Materials and equipment",
                ("材料", "设备", "钢材", "供应", "material", "equipment", "supply", "steel")),
    ProblemType("labour", "人员劳务", "Labour and staffing",
                ("劳务", "工人", "用工", "人手", "labour", "labor", "worker", "staff")),
    ProblemType("weather", "天气影响", "Weather", ("降雨", "雨季", "暴雨", "高温", "冰冻", "天气", "rain", "weather",
                                                   "storm", "flood")),
    ProblemType("environment", "环保扬尘", "Environment and dust",
                ("环保", "扬尘", "噪音", "environment", "dust", "noise")),
)


def is_chinese(text: str) -> bool:
    """Whether ``text`` is mostly Chinese: at least as many Chinese characters as English words.

    >>> is_chinese("主体结构封顶 (phase 2)"), is_chinese("Piling finished on site 2")
    (True, False)
    """
    chinese = len(_CJK.findall(text))
    return chinese > 0 and chinese >= len(_LATIN_WORD.findall(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, empty ones dropped, end punctuation kept.

    >>> split_sentences("基坑已开挖。支护完成！Next: rebar. Then pour\\n")
    ['基坑已开挖。', '支护完成！', 'Next: rebar.', 'Then pour']
    """
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip()]


def _terms(sentence: str) -> set[str]:
    return {word for word in words(sentence) if word not in ENGLISH_STOP_WORDS and len(word) > 1}


def _similarities(terms: Sequence[set[str]]) -> np.ndarray:
    """Every pair's shared words over (log |a| + log |b|); a pair of one-word sentences that share it: 1."""
    holders: dict[str, list[int]] = {}
    for i, words_of in enumerate(terms):
        for word in words_of:
            holders.setdefault(word, []).append(i)
    shared = np.zeros((len(terms), len(terms)))
    for rows in holders.values():
        if len(rows) > 1:
            shared[np.ix_(rows, rows)] += 1
    logs = np.log(np.maximum([len(words_of) for words_of in terms], 1))
    scale = logs[:, None] + logs[None, :]
    weights: np.ndarray = np.where(scale > 0, shared / np.where(scale > 0, scale, 1), (shared > 0).astype(float))
    np.fill_diagonal(weights, 0.0)
    return weights


def names_a_concern(sentence: str) -> bool:
    """Whether ``sentence`` says something went wrong or is at risk (one of ``CONCERN_TERMS``).

    >>> names_a_concern("资金未拨付。"), names_a_concern("Paving is behind plan."), names_a_concern("未发生安全事故。")
    (True, True, False)
    """
    sentence = _NOTHING_HAPPENED.sub("", sentence)
    lowered = sentence.lower()
    return any(term in sentence if _CJK.search(term) else re.search(rf"\b{term}", lowered) is not None
               for term in CONCERN_TERMS)


def central_sentences(sentences: Sequence[str], n: int = SUMMARY_SENTENCES) -> list[str]:
    """The ``n`` most central of ``sentences`` by TextRank, the most central one naming a concern always among
    them, in their original order (duplicates counted once).

    >>> central_sentences(["路面摊铺完成。", "雨季导致路面摊铺延误。", "雨季施工需加强排水。", "食堂已启用。"])
    ['路面摊铺完成。', '雨季导致路面摊铺延误。']
    """
    unique = list(dict.fromkeys(sentences))
    if len(unique) <= n:
        return unique
    size = len(unique)
    weights = _similarities([_terms(sentence) for sentence in unique])
    out = weights.sum(axis=1)
    # a sentence sharing no word with any other passes its rank on evenly (PageRank's dangling node)
    transition = np.where(out[:, None] > 0, weights / np.where(out > 0, out, 1)[:, None], 1 / size)
    rank = np.full(size, 1 / size)
    for _ in range(100):
        updated = (1 - DAMPING) / size + DAMPING * transition.T @ rank
        converged = np.abs(updated - rank).sum() < 1e-10
        rank = updated
        if converged:
            break
    by_rank = sorted(range(size), key=lambda i: (-round(float(rank[i]), 9), i))
    concern = [i for i in by_rank if names_a_concern(unique[i])][:1]
    chosen = concern + [i for i in by_rank if i not in concern][:n - len(concern)]
    return [unique[i] for i in sorted(chosen)]


def english_keywords(texts: Iterable[str], top_k: int = TOP_KEYWORDS) -> list[str]:
    """The ``top_k`` most frequent English words of ``texts`` (no stop words, at least three letters); ties by
    first appearance.

    >>> english_keywords(["Rain delayed paving.", "Paving resumes after the rain; drainage added."], 3)
    ['rain', 'paving', 'delayed']
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word for word in _LATIN_WORD.findall(text.lower())
                      if len(word) >= 3 and word not in ENGLISH_STOP_WORDS)
    return [word for word, _ in counts.most_common(top_k)]


def summarise(texts: Iterable[str], *, top_k: int = TOP_KEYWORDS, n: int = SUMMARY_SENTENCES) -> NoteSummary:
    """Keywords and the two-sentence summary of ``texts`` (empty texts ignored; nothing written: empty).

    Chinese texts give jieba TextRank keywords, English ones frequency keywords; a mixed set has the Chinese
    keywords first, then the English ones, ``top_k`` in all.
    """
    kept = [text.strip() for text in texts if text and text.strip()]
    chinese = [text for text in kept if is_chinese(text)]
    english = [text for text in kept if not is_chinese(text)]
    found = [word for word, _ in chinese_keywords(chinese, top_k)] if chinese else []
    found += [word for word in english_keywords(english, top_k) if word not in found]
    sentences = [sentence for text in kept for sentence in split_sentences(text)]
    return NoteSummary(tuple(found[:top_k]), tuple(central_sentences(sentences, n)))


def mentions(problem: ProblemType, text: str) -> bool:
    """Whether ``text`` names ``problem`` by one of its terms."""
    lowered = text.lower()
    return any(term in text if _CJK.search(term) else re.search(rf"\b{re.escape(term)}", lowered) is not None
               for term in problem.terms)


def problem_types(texts: Sequence[str]) -> list[tuple[ProblemType, int]]:
    """Each problem type mentioned in ``texts`` with the number of texts mentioning it, most first (then in the
    table's order); types no text mentions are left out.

    >>> [(kind.key, n) for kind, n in problem_types(["资金未拨付，工期延误", "Payment is late.", "暴雨停工"])]
    [('funding', 2), ('schedule', 2), ('weather', 1)]
    """
    counted = [(problem, sum(mentions(problem, text) for text in texts)) for problem in PROBLEM_TYPES]
    return sorted([(problem, n) for problem, n in counted if n], key=lambda pair: -pair[1])
