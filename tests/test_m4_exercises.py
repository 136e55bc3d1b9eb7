"""The module 4 exercises autograde correctly through real nbgrader.

For each assignment, the reference solution gets full marks, and each plausible wrong
submission (a common mistake of the topic) loses exactly the points of the test cell that is
meant to catch it: later questions judge a learner's own earlier answers, so one slip costs
one cell.
"""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"

IPF_BY_HAND = (
    "fitted = seed.astype(float)\n"
    "for _ in range({n}):\n"
    "    fitted = fitted.mul({rows} / fitted.sum(axis=1), axis=0)\n"
    "    fitted = fitted.mul({cols} / fitted.sum(axis=0), axis=1)\n"
    "max_difference = (fitted - flows.ipf2({rows}, {cols}, seed)).abs().to_numpy().max()")

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
    # Swaps the margins in the hand-written IPF loop: immigration totals as row (origin) totals.
    "swapped_margins": {"q5": IPF_BY_HAND.format(n=100, rows="immigration_totals", cols="emigration_totals")},
    # Scales rows and columns once and stops: the rows no longer fit.
    "one_pass": {"q5": IPF_BY_HAND.format(n=1, rows="emigration_totals", cols="immigration_totals")},
    # Reads the flow from Lamaria to Norbia (row XLM) instead of Norbia to Lamaria.
    "row_column_mixup": {"q6": 'flow_xnb_to_xlm = float(pd.DataFrame(fitted).loc["XLM", "XNB"])'},
    # Takes the raw mirror gap as short-term moves, ignoring Norbia's under-count of emigrants.
    "raw_gap": {"q7": (
        'y = reported[reported["year"] == 2023]\n'
        'by_xnb = y.loc[(y["reporting_country"] == "XNB") & (y["direction"] == "emigration")'
        ' & (y["partner_country"] == "XLM"), "flow"].sum()\n'
        'by_xlm = y.loc[(y["reporting_country"] == "XLM") & (y["direction"] == "immigration")'
        ' & (y["partner_country"] == "XNB"), "flow"].sum()\n'
        'short_term_xnb = by_xnb - by_xlm')},
}

EX2_WRONG = {
    # Counts everybody living in Lamaria, natives included, as foreign-born.
    "natives_included": {"q2": 'foreign_born_xlm_2025 = stock_2025["XLM"].sum()'},
    # Leaves births and deaths out of the demographic accounting.
    "no_births_deaths": {"q4": ('demo = flows.ffs_demo(stock_2020, stock_2025)\n'
                                'demo_imm_xlm = flows.sum_od(demo)["XLM"].sum()')},
    # The moves/transitions slip: judges a stock-based estimate against the true moves.
    "moves_not_transitions": {"q5": (
        'true_2020 = true_flows[true_flows["period"] == "2020-2025"]\n'
        'share_of_truth = demo_imm_xlm / true_2020.loc[true_2020["destination"] == "XLM", "flow"].sum()')},
    # Reads the stock change as the net transitions, forgetting the deaths.
    "stock_change_only": {"q6": 'net_xks_into_xlm = stock_2025.loc["XKS", "XLM"] - stock_2020.loc["XKS", "XLM"]'},
    # Uses the 3-month rule: counts short-term immigration too.
    "three_month_rule": {"q7": (
        'in_2023 = moves[moves["date"].dt.year == 2023]\n'
        'lt_immigration_2023 = in_2023["movement"].isin(["long-term immigration", "short-term immigration"]).sum()')},
}

CAUGHT_BY = {
    "m4-ex1": {"all_years": "q1_test", "direction_mixup": "q2_test", "swapped_margins": "q5_test",
               "one_pass": "q5_test", "row_column_mixup": "q6_test", "raw_gap": "q7_test"},
    "m4-ex2": {"natives_included": "q2_test", "no_births_deaths": "q4_test", "moves_not_transitions": "q5_test",
               "stock_change_only": "q6_test", "three_month_rule": "q7_test"},
}


@pytest.mark.parametrize("assignment, wrong", [("m4-ex1", EX1_WRONG), ("m4-ex2", EX2_WRONG)])
def test_reference_gets_full_marks_and_each_slip_loses_its_cell(assignment, wrong, tmp_path):
    results = grade(SOURCE / assignment, {"ref": {}, **wrong}, tmp_path)
    caught = CAUGHT_BY[assignment]
    assert_proven(assignment, results, caught)
    ref = results["ref"]
    for student, cell in caught.items():
        assert results[student].score == ref.max_score - ref.max_cells[cell], (
            f"{assignment}: {student!r} should lose only the points of {cell}: {results[student].cells}")
