"""Module 1 exercises, through real nbgrader autograde: the reference solution gets full marks,
other correct idioms too, and common mistakes of the topic lose the points of the cell that
should catch them."""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"


EX1_MISTAKES = {"unweighted": "q1_test", "citizens": "q1_test", "babies": "q6_test"}
EX2_MISTAKES = {"crossings": "q1_test", "three_months": "q4_test", "entries": "q5_test"}


def test_m1_ex1(tmp_path):
    ex1 = grade(SOURCE / "m1-ex1", {
        "ref": {},
        # Other correct ways to get the same numbers.
        "alt": {
            "q1": 'foreign_born = census.groupby(census["country_of_birth"] == "XLM")["weight"].sum()[False]',
            "q3": 'foreign_born_citizens = census.loc[(census["country_of_birth"] != "XLM") '
                  '& (census["citizenship"] == "XLM"), "weight"].sum()',
            "q7": 'top3 = (census[census["country_of_birth"] != "XLM"]\n'
                  '        .pivot_table(index="country_of_birth", values="weight", aggfunc="sum", observed=True)\n'
                  '        .sort_values("weight", ascending=False).head(3))',
        },
        # Counting sample rows instead of summing weights.
        "unweighted": {"q1": 'foreign_born = (census["country_of_birth"] != "XLM").sum() * 1000'},
        # Counting foreign citizens when the question asks for the foreign-born.
        "citizens": {"q1": 'foreign_born = census.loc[census["citizenship"] != "XLM", "weight"].sum()'},
        # Children under one (no residence one year ago) counted as immigrants.
        "babies": {"q6": 'immigrants_last_year = census.loc[census["residence_1y_ago"] != "XLM", "weight"].sum()'},
    }, tmp_path)
    assert ex1["ref"].max_score == 12
    assert ex1["alt"].score == ex1["alt"].max_score, ex1["alt"].cells
    assert_proven("m1-ex1", ex1, EX1_MISTAKES)


def test_m1_ex2(tmp_path):
    ex2 = grade(SOURCE / "m1-ex2", {
        "ref": {},
        "alt": {
            "q4": 'status = defs.classify_travellers(crossings, "2022-01-01", "2024-12-31", "2023-01-01", "2023-12-31",\n'
                  '                                  long_term=12, short_term=3, unit="months")\n'
                  'lt_immigrants = len(status.query("status == \'long-term immigrant\'"))',
            "q2": "from datetime import date\nstay_days = (date(2024, 2, 29) - date(2023, 3, 1)).days",
            "q7": 'agreement = (status.set_index("traveller_id")["status"]\n'
                  '             == truth.set_index("traveller_id")["true_status"].astype(str)).mean()',
        },
        # Counting crossings instead of travellers.
        "crossings": {"q1": "n_travellers = len(crossings)"},
        # Using the 3-month threshold as the long-term rule.
        "three_months": {"q4": 'status = defs.classify_travellers(crossings, **WINDOW, **YEAR_2023, long_term=3)\n'
                               'lt_immigrants = (status["status"] == "long-term immigrant").sum()'},
        # Every entry in 2023 counted as an immigrant.
        "entries": {"q5": 'immigrants_1998 = ((crossings["direction"] == "entry") '
                          '& (crossings["date"].dt.year == 2023)).sum()'},
    }, tmp_path)
    assert ex2["ref"].max_score == 13
    assert ex2["alt"].score == ex2["alt"].max_score, ex2["alt"].cells
    assert_proven("m1-ex2", ex2, EX2_MISTAKES)

