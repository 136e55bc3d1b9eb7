"""Module 1 exercises, through real nbgrader autograde: the reference solution gets full marks,
other correct idioms too, and common mistakes of the topic lose the points of the cell that
should catch them."""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"


EX1_MISTAKES = {"unweighted": "q1_test", "citizens": "q1_test", "babies": "q6_test",
                "first_citizenship_only": ["q2_test", "q3_test", "q4_test"], "stateless_citizens": "q2_test",
                "row_share": "q5_test", "top3_rows": "q7_test", "all_natives": "q8_test"}
EX2_MISTAKES = {"crossings": "q1_test", "both_ends": "q2_test", "days_not_months": "q3_test",
                "lost_last_day": "q4_test", "censored_complete": "q5_test", "citizenship_decides": "q6_test",
                "trip_ends_stay": "q6_test", "reversed_sign": "q7_test", "linked_as_one": "q8_test"}


def test_m1_ex1(tmp_path):
    ex1 = grade(SOURCE / "m1-ex1", {
        "ref": {},
        # Other correct ways to get the same numbers.
        "alt": {
            "q1": 'foreign_born = census.groupby(census["country_of_birth"] == "XLM")["weight"].sum()[False]',
            "q3": 'is_citizen = (census[["citizenship", "second_citizenship"]] == "XLM").any(axis=1)\n'
                  'born_abroad = ~census["country_of_birth"].isin(["XLM"])\n'
                  'foreign_born_citizens = census["weight"].where(born_abroad & is_citizen, 0).sum()',
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
        # Reading only the first citizenship: dual citizens who name XLM second become foreigners.
        "first_citizenship_only": {
            "q2": 'foreign_citizens = census.loc[census["citizenship"] != "XLM", "weight"].sum()',
            "q3": 'is_citizen = census["citizenship"] == "XLM"\nborn_abroad = census["country_of_birth"] != "XLM"\n'
                  'foreign_born_citizens = census.loc[born_abroad & is_citizen, "weight"].sum()',
            "q4": 'native_born_foreigners = census.loc[~born_abroad & ~is_citizen, "weight"].sum()'},
        # Stateless persons left out of the foreign citizens.
        "stateless_citizens": {"q2": 'citizen = (census["citizenship"] == "XLM") | (census["second_citizenship"] == "XLM")\n'
                                     'foreign_citizens = census.loc[~citizen & (census["citizenship"] != "XXA"), "weight"].sum()'},
        # The share of sample rows instead of the weighted share.
        "row_share": {"q5": 'pct_foreign_born = 100 * (census["country_of_birth"] != "XLM").mean()'},
        # The three largest countries of birth by rows.
        "top3_rows": {"q7": 'top3 = census.loc[census["country_of_birth"] != "XLM", "country_of_birth"]'
                            '.astype(str).value_counts().head(3)'},
        # Every native-born citizen, lived abroad or not.
        "all_natives": {"q8": 'citizen_of_xlm = (census["citizenship"] == "XLM") | (census["second_citizenship"] == "XLM")\n'
                              'return_migrants = census.loc[(census["country_of_birth"] == "XLM") & citizen_of_xlm, "weight"].sum()'},
    }, tmp_path)
    assert ex1["ref"].max_score == 12
    assert ex1["alt"].score == ex1["alt"].max_score, ex1["alt"].cells
    assert_proven("m1-ex1", ex1, EX1_MISTAKES)


def test_m1_ex2(tmp_path):
    ex2 = grade(SOURCE / "m1-ex2", {
        "ref": {},
        "alt": {
            "q2": "from datetime import date\nentry_a, exit_a = pd.Timestamp(\"2023-03-01\"), pd.Timestamp(\"2024-02-29\")\n"
                  "stay_days = (date(2024, 2, 29) - date(2023, 3, 1)).days",
            "q3": 'status_a = "Short-term immigrant " if not defs.lasts_at_least(entry_a, exit_a, 12) else "long-term immigrant"',
            "q5": 'entry_b = pd.Timestamp("2024-09-15")\n'
                  'movement_b = defs.classify_movements(pd.DataFrame({"traveller_id": ["B"], "date": [entry_b],\n'
                  '    "direction": ["entry"]}), **WINDOW)["movement"].iloc[0]',
            "q7": 'net_long_term = (status["status"] == "long-term immigrant").sum() - (status["status"] == "long-term emigrant").sum()',
        },
        # Counting crossings instead of travellers.
        "crossings": {"q1": "n_travellers = len(crossings)"},
        # Both the entry day and the exit day counted.
        "both_ends": {"q2": 'entry_a, exit_a = pd.Timestamp("2023-03-01"), pd.Timestamp("2024-02-29")\n'
                            'stay_days = (exit_a - entry_a).days + 1'},
        # 12 months counted as 365 days instead of calendar months.
        "days_not_months": {"q3": 'status_a = "long-term immigrant" if (exit_a - entry_a).days >= 365 else "short-term immigrant"'},
        # A censored stay ended on the window's last day: one day lost.
        "lost_last_day": {"q4": 'entry_b = pd.Timestamp("2024-09-15")\nend_b = pd.Timestamp("2024-12-31")\n'
                                'censored_days = (end_b - entry_b).days'},
        # A censored stay classified as if it were complete.
        "censored_complete": {"q5": 'movement_b = "short-term immigration" if end_b >= entry_b + pd.DateOffset(months=3) else "visit"'},
        # Citizenship taken to decide: a returning citizen is not counted as an immigrant.
        "citizenship_decides": {"q6": 'stay_c_days = (pd.Timestamp("2025-01-01") - pd.Timestamp("2023-06-01")).days\n'
                                      'status_c = "resident traveller"'},
        # The short trip taken to end the stay.
        "trip_ends_stay": {"q6": 'stay_c_days = (pd.Timestamp("2023-12-01") - pd.Timestamp("2023-06-01")).days\n'
                                 'status_c = "short-term immigrant"'},
        # Net migration with the sign reversed.
        "reversed_sign": {"q7": 'counts = status["status"].value_counts()\n'
                                'net_long_term = counts["long-term emigrant"] - counts["long-term immigrant"]'},
        # The two passports seen as one person, as if the office linked them.
        "linked_as_one": {"q8": 'office_counts = {"long-term immigrant": 0, "long-term emigrant": 0}'},
    }, tmp_path)
    assert ex2["ref"].max_score == 13
    assert ex2["alt"].score == ex2["alt"].max_score, ex2["alt"].cells
    assert_proven("m1-ex2", ex2, EX2_MISTAKES)
