import numpy as np
import pandas as pd
import pytest

from scoring import aggregate_ratings
from scoring.ratings import intraclass_correlation, kendalls_w


def panel(rows):
    return pd.DataFrame(rows, columns=["project", "rater", "rater_type", "score"])


@pytest.fixture
def ratings():
    rows = [("p1", "boss", "superior", 90.0), ("p1", "me1", "self", 95.0)]
    rows += [("p1", f"peer{i}", "peer", s) for i, s in enumerate([60.0, 70.0, 80.0, 90.0, 100.0])]
    rows += [("p2", "boss", "superior", 90.0)]
    rows += [("p2", f"peer{i}", "peer", s) for i, s in enumerate([60.0, 70.0, 80.0, 100.0])]
    return panel(rows)


class TestScores:
    def test_trimmed_weighted_score(self, ratings):
        result = aggregate_ratings(ratings)
        # p1 peers: 5 raters → drop 60 and 100 → (70 + 80 + 90)/3 = 80
        # 0.5·90 + 0.3·80 + 0.2·95 = 45 + 24 + 19 = 88
        assert result.scores.loc["p1", "score"] == pytest.approx(88.0)
        assert result.group_means.loc[("p1", "peer")].tolist() == [5, 3, 80.0]

    def test_fewer_than_five_raters_not_trimmed_and_absent_type_renormalised(self, ratings):
        result = aggregate_ratings(ratings)
        # p2 peers: 4 raters → mean (60 + 70 + 80 + 100)/4 = 77.5; no self rating:
        # (0.5·90 + 0.3·77.5)/(0.5 + 0.3) = (45 + 23.25)/0.8 = 85.3125
        assert result.group_means.loc[("p2", "peer"), "mean"] == 77.5
        assert result.scores.loc["p2", "score"] == pytest.approx(85.3125)
        assert result.scores.loc["p2", "type_coverage"] == pytest.approx(0.8)
        assert result.scores.loc["p2", "missing_types"] == "self"
        assert pd.isna(result.scores.loc["p1", "missing_types"])

    def test_trim_drops_one_of_tied_extremes(self):
        rows = [("p", f"r{i}", "peer", s) for i, s in enumerate([70.0, 70.0, 80.0, 90.0, 90.0])]
        # drop one 70 and one 90 → (70 + 80 + 90)/3 = 80
        assert aggregate_ratings(panel(rows)).scores.loc["p", "score"] == 80.0

    def test_trim_off(self, ratings):
        # p1 peers untrimmed: (60 + 70 + 80 + 90 + 100)/5 = 80 as well, so change p1's top peer
        changed = ratings.copy()
        changed.loc[(changed.rater == "peer4") & (changed.project == "p1"), "score"] = 150.0
        # untrimmed: (60 + 70 + 80 + 90 + 150)/5 = 90; trimmed still 80
        assert aggregate_ratings(changed, trim=False).group_means.loc[("p1", "peer"), "mean"] == 90.0
        assert aggregate_ratings(changed).group_means.loc[("p1", "peer"), "mean"] == 80.0

    def test_custom_weights_with_experts(self):
        rows = [("p", "e1", "expert", 80.0), ("p", "e2", "expert", 90.0), ("p", "b", "superior", 70.0)]
        # experts mean 85; 0.6·85 + 0.4·70 = 51 + 28 = 79
        result = aggregate_ratings(panel(rows), {"expert": 0.6, "superior": 0.4})
        assert result.scores.loc["p", "score"] == pytest.approx(79.0)

    def test_dimension_column(self):
        frame = pd.DataFrame({"project": ["p", "p"], "dimension": ["quality", "progress"], "rater": ["b", "b"],
                              "rater_type": ["superior", "superior"], "score": [70.0, 90.0]})
        result = aggregate_ratings(frame)
        assert result.scores.index.names == ["project", "dimension"]
        assert result.scores.loc[("p", "progress"), "score"] == 90.0


class TestSelfFlags:
    def test_gap_against_weighted_others(self, ratings):
        # p1 others: (0.5·90 + 0.3·80)/0.8 = 69/0.8 = 86.25; self 95 → gap 8.75
        flags = aggregate_ratings(ratings).self_flags
        assert flags.loc["p1", "others"] == pytest.approx(86.25)
        assert flags.loc["p1", "gap"] == pytest.approx(8.75)
        assert not flags.loc["p1", "flagged"]
        assert aggregate_ratings(ratings, self_margin=5).self_flags.loc["p1", "flagged"]
        assert "p2" not in flags.index  # no self-rating there


class TestAgreement:
    def test_kendalls_w_hand_computed(self):
        # ranks per rater (columns): [4,3,2,1], [4,3,1,2], [3,4,2,1]; rank sums 11, 10, 5, 4, mean 7.5
        # S = 3.5² + 2.5² + 2.5² + 3.5² = 37; W = 12·37/(3²·(4³ − 4)) = 444/540
        table = np.array([[4, 4, 3], [3, 3, 4], [2, 1, 2], [1, 2, 1]])
        assert kendalls_w(table) == pytest.approx(444 / 540)

    def test_kendalls_w_extremes_and_ties(self):
        assert kendalls_w(np.array([[1, 3], [2, 2], [3, 1]])) == 0.0
        # rater 2 ties the first two: ranks [1.5, 1.5, 3]; rank sums 2.5, 3.5, 6, mean 4
        # S = 2.25 + 0.25 + 4 = 6.5; T = 2³ − 2 = 6; W = 12·6.5/(4·24 − 2·6) = 78/84
        assert kendalls_w(np.array([[1, 5], [2, 5], [3, 9]])) == pytest.approx(78 / 84)

    def test_icc_shrout_fleiss_example(self):
        # Shrout & Fleiss (1979), Table 2 data (6 targets, 4 judges), published ICC(2,1) = .29, ICC(2,4) = .62.
        # Sums of squares: rows 56.2083 (df 5), judges 97.4583 (df 3), error 15.2917 (df 15)
        # → BMS = 11.2417, JMS = 32.4861, EMS = 1.0194
        # ICC(2,1) = (11.2417 − 1.0194)/(11.2417 + 3·1.0194 + 4·(32.4861 − 1.0194)/6) = 10.2222/35.2778 = 0.28976
        # ICC(2,4) = 10.2222/(11.2417 + (32.4861 − 1.0194)/6) = 10.2222/16.4861 = 0.62005
        table = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
        single, average = intraclass_correlation(table)
        assert single == pytest.approx(10.2222 / 35.2778, abs=1e-5)
        assert average == pytest.approx(10.2222 / 16.4861, abs=1e-5)
        assert round(single, 2) == 0.29 and round(average, 2) == 0.62

    def test_agreement_table_per_rater_type(self):
        rows = [(p, r, "expert", s) for p, scores in (("p1", (90, 85, 88)), ("p2", (70, 72, 60)), ("p3", (50, 55, 52)))
                for r, s in zip(("a", "b", "c"), scores, strict=True)]
        rows.append(("p1", "boss", "superior", 80.0))
        result = aggregate_ratings(panel(rows), {"expert": 1, "superior": 1})
        agreement = result.agreement
        assert agreement.index.tolist() == ["expert", "superior"]
        assert agreement.loc["expert", ["raters", "projects"]].tolist() == [3, 3]
        # every expert orders p1 > p2 > p3: W = 1
        assert agreement.loc["expert", "kendall_w"] == pytest.approx(1.0)
        assert np.isnan(agreement.loc["superior", "kendall_w"])  # one rater cannot agree with anyone

    def test_incomplete_panel_uses_complete_block(self):
        rows = [("p1", "a", "peer", 1.0), ("p2", "a", "peer", 2.0), ("p1", "b", "peer", 1.0),
                ("p2", "b", "peer", 2.0), ("p1", "c", "peer", 5.0)]
        agreement = aggregate_ratings(panel(rows)).agreement
        assert agreement.loc["peer", ["raters", "projects"]].tolist() == [2, 2]


class TestLeniency:
    def test_correction_centres_raters_on_their_panel(self):
        # panel means: p1 (A 70, C 80) 75; p2 (A 80, B 90) 85; p3 (B 100, C 90) 95
        # offsets: A −5 (−5, −5), B +5, C 0 (+5, −5)
        # corrected: p1 (75, 80) 77.5; p2 (85, 85) 85; p3 (95, 90) 92.5
        rows = [("p1", "A", "expert", 70.0), ("p2", "A", "expert", 80.0), ("p2", "B", "expert", 90.0),
                ("p3", "B", "expert", 100.0), ("p1", "C", "expert", 80.0), ("p3", "C", "expert", 90.0)]
        result = aggregate_ratings(panel(rows), {"expert": 1}, correct_leniency=True)
        assert result.rater_offsets.to_dict() == {"A": -5.0, "B": 5.0, "C": 0.0}
        effect = result.correction_effect
        assert effect["uncorrected"].tolist() == [75.0, 85.0, 95.0]
        assert effect["corrected"].tolist() == [77.5, 85.0, 92.5]
        assert effect["change"].tolist() == [2.5, 0.0, -2.5]
        assert result.scores["score"].tolist() == [77.5, 85.0, 92.5]

    def test_no_correction_by_default(self, ratings):
        result = aggregate_ratings(ratings)
        assert result.rater_offsets is None and result.correction_effect is None


@pytest.mark.parametrize("change, weights, message", [
    (lambda f: f.drop(columns="rater"), None, "need column.*'rater'"),
    (lambda f: f.assign(score=np.nan), None, "'score' is missing in"),
    (lambda f: f.assign(score="x"), None, "'score' must be numeric"),
    (lambda f: f.assign(rater_type="expert"), None, "rater type.*'expert' have no weight"),
    (lambda f: pd.concat([f, f.iloc[:1]]), None, "rated the same project twice"),
    (lambda f: f, {"superior": -1, "peer": 1, "self": 1}, "non-negative"),
])
def test_errors(ratings, change, weights, message):
    with pytest.raises(ValueError, match=message):
        aggregate_ratings(change(ratings), weights)
