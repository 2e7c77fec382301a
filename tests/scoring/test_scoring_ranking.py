import numpy as np
import pandas as pd
import pytest

from scoring import DEFAULT_GRADE_BANDS, GRADE_LABELS_EN, grade, rank, rollup

NaN = np.nan


class TestRank:
    def test_competition_ranking_nan_unranked(self):
        totals = pd.Series([85, 90, NaN, 85, 70], index=list("abcde"))
        result = rank(totals)
        assert result.dtype == "Int64" and result.index.tolist() == list("abcde")
        assert result.tolist() == [2, 1, pd.NA, 2, 4]

    def test_nan_bottom_option(self):
        # three scored projects, so the two unscored tie at 4
        assert rank([NaN, 50, 60, NaN, 60], na_option="bottom").tolist() == [4, 3, 1, 4, 1]

    def test_float_noise_ties_but_real_differences_do_not(self):
        noisy = [0.1 + 0.2, 0.3, 0.3 - 1e-6]  # 0.30000000000000004 prints as 0.3
        assert rank(noisy).tolist() == [1, 1, 3]
        assert rank(noisy, decimals=None).tolist() == [1, 2, 3]

    def test_all_nan_and_empty(self):
        assert rank([NaN, NaN]).isna().all()
        assert rank([]).tolist() == []

    def test_unknown_na_option(self):
        with pytest.raises(ValueError, match="na_option"):
            rank([1.0], na_option="top")


class TestGrade:
    def test_default_bands(self):
        totals = [95, 90, 89.99, 80, 79.999, 60, 59.99, 0, NaN]
        assert grade(totals).tolist() == ["优秀", "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格", np.nan]

    def test_ordered_worst_to_best(self):
        result = grade([95, 70])
        assert result.cat.ordered and result.cat.categories.tolist() == ["不合格", "合格", "良好", "优秀"]
        assert (result >= "良好").tolist() == [True, False]
        assert list(DEFAULT_GRADE_BANDS) == ["优秀", "良好", "合格", "不合格"]

    def test_boundary_noise_does_not_demote(self):
        assert grade([90 - 1e-12]).tolist() == ["优秀"]

    def test_english_labels(self):
        result = grade([95, 85, 65, 10]).cat.rename_categories(GRADE_LABELS_EN)
        assert result.tolist() == ["Excellent", "Good", "Pass", "Fail"]

    def test_custom_bands(self):
        assert grade([85, 50], {"A": 80, "B": 0}).tolist() == ["A", "B"]

    def test_below_lowest_band_and_bad_bands_raise(self):
        with pytest.raises(ValueError, match="below the lowest grade band 'B'"):
            grade([-1], {"A": 80, "B": 0})
        with pytest.raises(ValueError, match="distinct"):
            grade([1], {"A": 80, "B": 80})
        with pytest.raises(ValueError, match="at least one band"):
            grade([1], {})


class TestRollup:
    @pytest.fixture
    def projects(self):
        return pd.DataFrame({
            "district": ["east", "east", "east", "west", None],
            "category": ["road", "road", "school", "road", "road"],
            "total": [90.0, 60.0, NaN, 70.0, 50.0],
            "budget": [100.0, 300.0, NaN, 50.0, 10.0],
        })

    def test_mean_skips_unscored_but_counts_them(self, projects):
        result = rollup(projects, "district")
        # east: (90 + 60)/2 = 75 over 2 scored of 3 projects
        assert result.loc["east"].tolist() == [75.0, 3, 2]
        assert result.columns.tolist() == ["total", "projects", "scored"]

    def test_missing_group_is_kept(self, projects):
        result = rollup(projects, "district")
        assert result["projects"].sum() == 5
        assert result.index.isna().sum() == 1

    def test_budget_weighted(self, projects):
        # east: (100·90 + 300·60)/(100 + 300) = 27000/400 = 67.5; the unscored project's budget is ignored
        result = rollup(projects, "district", "budget_weighted")
        assert result.loc["east", "total"] == 67.5 and result.loc["east", "budget"] == 400.0

    def test_zero_total_budget_raises_naming_the_group(self, projects):
        # west's only scored project has budget 0: 0·70 / 0 has no answer (it used to come back NaN silently)
        with pytest.raises(ValueError, match=r"group\(s\) 'west': the scored projects' 'budget' adds up to 0"):
            rollup(projects.assign(budget=[100.0, 300.0, NaN, 0.0, 10.0]), "district", "budget_weighted")
        # a group with no scored project has no average either way, and that is not an error
        result = rollup(projects.assign(total=[90.0, 60.0, NaN, NaN, 50.0], budget=[1.0, 1.0, 0.0, 0.0, 1.0]),
                        "district", "budget_weighted")
        assert np.isnan(result.loc["west", "total"]) and result.loc["west", "scored"] == 0
        with pytest.raises(ValueError, match=r"group\(s\) \('east', 'school'\)"):
            rollup(projects.assign(total=[90.0, 60.0, 80.0, 70.0, 50.0], budget=[1.0, 1.0, 0.0, 1.0, 1.0]),
                   ["district", "category"], "budget_weighted")

    def test_several_keys(self, projects):
        result = rollup(projects, ["district", "category"])
        assert result.loc[("east", "road"), "total"] == 75.0
        assert np.isnan(result.loc[("east", "school"), "total"])

    def test_other_value_column(self, projects):
        assert rollup(projects.assign(quality=1.0), "district", value="quality").loc["west", "quality"] == 1.0

    @pytest.mark.parametrize("change, how, message", [
        (dict(budget=[NaN, 1.0, 1.0, 1.0, 1.0]), "budget_weighted", "missing for 1 scored"),
        (dict(budget=[-1.0, 1.0, 1.0, 1.0, 1.0]), "budget_weighted", "negative budgets"),
        (dict(), "median", "unknown rollup 'median'"),
        (dict(total=["x"] * 5), "mean", "'total' must be numeric"),
    ])
    def test_errors(self, projects, change, how, message):
        with pytest.raises(ValueError, match=message):
            rollup(projects.assign(**change), "district", how)

    def test_absent_column(self, projects):
        with pytest.raises(ValueError, match="'department'"):
            rollup(projects, "department")
