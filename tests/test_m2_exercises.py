"""The Module 2 exercises autograde correctly through real nbgrader.

For each assignment, the reference solution gets full marks, and plausible wrong submissions
(common mistakes of disaggregation: forgetting the weights, counting foreign citizens, the wrong
denominator, the wrong disability cut-off, the simple random sampling formula, ignoring strata,
the wrong publication thresholds) lose the points of the test cell that should catch them.
"""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"

EX1_WRONG = {
    # Counts sample records instead of persons: no weights.
    "unweighted": {
        "q1": 'n_foreign_born = (census["country_of_birth"] != "XLM").sum()',
        "q2": ('census["foreign_born"] = (census["country_of_birth"] != "XLM").astype(int)\n'
               'share_foreign_born_by_region = 100 * census.groupby("region", observed=True)'
               '["foreign_born"].mean()'),
    },
    # Foreign citizens instead of foreign-born.
    "citizens": {
        "q1": 'n_foreign_born = census.loc[census["citizenship"] != "XLM", "weight"].sum()',
    },
    # Wrong denominators: all ages for participation, all adults for unemployment; and the
    # Washington Group cut-off at "some difficulty".
    "denominators": {
        "q3": ('fb = census[census["country_of_birth"] != "XLM"].copy()\n'
               'fb["in_lf"] = fb["labour_force_status"].isin(["employed", "unemployed"]).astype(int)\n'
               'lfpr_foreign_born = 100 * dg.weighted_proportion(fb, "in_lf", by="sex")["estimate"]'),
        "q4": ('census["migratory_status"] = np.where(census["country_of_birth"] == "XLM", '
               '"native-born", "foreign-born")\n'
               'adults = census[census["age"] >= 15].copy()\n'
               'adults["unemployed"] = (adults["labour_force_status"] == "unemployed").astype(int)\n'
               'unemployment_rate = 100 * dg.weighted_proportion(adults, "unemployed", '
               'by="migratory_status")["estimate"]'),
        "q5": ('census["disability"] = dg.wg_disability(census, cutoff=2)\n'
               'disability_prevalence = 100 * dg.weighted_proportion(census, "disability", '
               'by="migratory_status")["estimate"]'),
    },
}

EX2_WRONG = {
    # The simple random sampling formula for the SE: CV and interval too optimistic.
    "naive": {
        "q3": ('lf = census[(census["foreign_born"] == 1) & (census["sex"] == "female") '
               '& census["unemployed"].notna()]\n'
               'p = (lf["weight"] * lf["unemployed"]).sum() / lf["weight"].sum()\n'
               'cv_foreign_born_women = np.sqrt(p * (1 - p) / len(lf)) / p'),
        "q4": ('lf = census[(census["foreign_born"] == 1) & census["unemployed"].notna()]\n'
               'p = (lf["weight"] * lf["unemployed"]).sum() / lf["weight"].sum()\n'
               'se = np.sqrt(p * (1 - p) / len(lf))\n'
               'ci_foreign_born = (100 * (p - 1.96 * se), 100 * (p + 1.96 * se))'),
    },
    # All PSUs treated as one stratum.
    "no_strata": {
        "q2": ('n = len(psu_totals)\n'
               'se_total = np.sqrt(n / (n - 1) * ((psu_totals - psu_totals.mean()) ** 2).sum())'),
    },
    # Unweighted PSU totals, and the default publication thresholds instead of the office's.
    "sloppy": {
        "q1": 'psu_totals = census.groupby(["stratum", "psu"])["foreign_born"].sum()',
        "q5": ('by_origin = dg.weighted_proportion(census, "unemployed", by=["country_of_birth", "sex"])\n'
               'by_origin = by_origin.drop(index="XLM", level="country_of_birth")\n'
               'status_by_origin = dg.publication_status(by_origin)'),
    },
}

CAUGHT_BY = {
    "unweighted": ["q1_test", "q2_test"],
    "citizens": ["q1_test"],
    "denominators": ["q3_test", "q4_test", "q5_test"],
    "naive": ["q3_test", "q4_test"],
    "no_strata": ["q2_test"],
    "sloppy": ["q1_test", "q5_test"],
}


@pytest.mark.parametrize("assignment, wrong", [("m2-ex1", EX1_WRONG), ("m2-ex2", EX2_WRONG)])
def test_autograde(assignment, wrong, tmp_path):
    results = grade(SOURCE / assignment, {"ref": {}, **wrong}, tmp_path)
    ref = results["ref"]
    assert_proven(assignment, results, {student: CAUGHT_BY[student] for student in wrong})
    for student in wrong:
        result = results[student]
        untouched = {c for c in ref.cells if c.split("_")[0] not in wrong[student]} - set(CAUGHT_BY[student])
        # Cells the mistake does not reach keep their points (partial credit), except those that
        # depend on a wrong earlier answer (q2 uses psu_totals from q1 in m2-ex2).
        depends = {"q2_test"} if "q1" in wrong[student] and assignment == "m2-ex2" else set()
        for cell in untouched - depends:
            assert result.cells[cell] == ref.cells[cell], f"{assignment}: {student} lost {cell}"
