"""The module 4 exercises autograde correctly through real nbgrader.

For each assignment, the reference solution gets full marks, and each plausible wrong
submission (a common mistake of the topic) gets less, with a zero on the test cell that is
meant to catch it.
"""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"

EX1_WRONG = {
    # Forgets the year: sums Lamaria's immigration over 2020-2024.
    "all_years": {"q1": (
        'rows = (reported["reporting_country"] == "XLM") & (reported["direction"] == "immigration")\n'
        'imm_xlm_2023 = reported.loc[rows, "flow"].sum()')},
    # Mixes up the directions: takes the partners' immigration from Lamaria as the mirror.
    "direction_mixup": {"q2": (
        'y = reported[reported["year"] == 2023]\n'
        'by_xlm = y[(y["reporting_country"] == "XLM") & (y["direction"] == "immigration")]'
        '.set_index("partner_country")["flow"]\n'
        'by_partner = y[(y["partner_country"] == "XLM") & (y["direction"] == "immigration")]'
        '.set_index("reporting_country")["flow"]\n'
        'mirror_2023 = pd.DataFrame({"reported_by_xlm": by_xlm, "reported_by_partner": by_partner}).dropna()\n'
        'mirror_2023.index = mirror_2023.index.astype(str)')},
    # Swaps the margins: immigration totals as row (origin) totals.
    "swapped_margins": {"q5": "fitted = flows.ipf2(immigration_totals, emigration_totals, seed)"},
}

EX2_WRONG = {
    # Counts everybody living in Lamaria, natives included, as foreign-born.
    "natives_included": {"q2": 'foreign_born_xlm_2025 = stock_2025["XLM"].sum()'},
    # Leaves births and deaths out of the demographic accounting.
    "no_births_deaths": {"q4": 'demo_imm_xlm = flows.sum_od(flows.ffs_demo(stock_2020, stock_2025))["XLM"].sum()'},
    # Uses the 3-month rule: counts short-term immigration too.
    "three_month_rule": {"q6": (
        'in_2023 = moves[moves["date"].dt.year == 2023]\n'
        'lt_immigration_2023 = in_2023["movement"].isin(["long-term immigration", "short-term immigration"]).sum()')},
}

CAUGHT_BY = {
    "all_years": "q1_test", "direction_mixup": "q2_test", "swapped_margins": "q5_test",
    "natives_included": "q2_test", "no_births_deaths": "q4_test", "three_month_rule": "q6_test",
}


@pytest.mark.parametrize("assignment, wrong", [("m4-ex1", EX1_WRONG), ("m4-ex2", EX2_WRONG)])
def test_reference_gets_full_marks_and_mistakes_lose_points(assignment, wrong, tmp_path):
    results = grade(SOURCE / assignment, {"ref": {}, **wrong}, tmp_path)
    assert_proven(assignment, results, {student: CAUGHT_BY[student] for student in wrong})
