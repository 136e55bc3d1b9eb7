"""The Module 3 exercises, through real nbgrader autograde.

For each assignment: the reference solution gets full marks, and common mistakes of statistical
disclosure control get less, with 0 on the test cell that should catch them. All the submissions
of one assignment are graded in one call (each call costs seconds).
"""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"

EX1_WRONG = {
    # a plain hash of the case number: reversible by enumerating the case numbers
    "plain_hash": {"q2": 'import hashlib\n'
                         'cases["case_pseudonym"] = raw["case_id"].map('
                         'lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())'},
    # value_counts drops the records with an empty quasi-identifier
    "dropna": {"q3": "n_unique = int((cases.value_counts(QUASI_IDENTIFIERS) == 1).sum())"},
    # a fraction instead of a percentage
    "fraction": {"q4": 'pct_at_risk = (sdc.equivalence_classes(cases, QUASI_IDENTIFIERS)["fk"] < 5).mean()'},
    # the risk of a census (1/fk): the sampling weights are forgotten
    "no_weights": {"q6": 'census_risk = 1 / sdc.equivalence_classes(census, ["region", "sex", "age", '
                         '"country_of_birth"])["fk"]\n'
                         "expected_reidentifications = float(census_risk.sum())"},
}
EX1_CAUGHT_BY = {"plain_hash": "q2_test", "dropna": "q3_test", "fraction": "q4_test",
                 "no_weights": "q6_test"}

EX2_WRONG = {
    # drop every record at risk instead of suppressing values first
    "drop_all": {"q3": 'safe = broad[sdc.equivalence_classes(broad, QUASI_IDENTIFIERS)["fk"] >= 5]'},
    # k = 2 taken for l = 2: class size instead of distinct sensitive values
    "fk_not_l": {"q4": 'release = safe[sdc.equivalence_classes(safe, QUASI_IDENTIFIERS)["fk"] >= 2]'},
    # the total variation distance without the factor one half
    "no_half": {"q5": "p = cases[SENSITIVE].value_counts(normalize=True)\n"
                      "q = release[SENSITIVE].value_counts(normalize=True)\n"
                      "tvd_type = (p - q.reindex(p.index, fill_value=0)).abs().sum()"},
    # zero cells hidden as if they were small cells
    "zeros": {"q6": 'in_2024 = cases[cases["year_of_registration"] == 2024]\n'
                    'table = pd.crosstab(in_2024["citizenship"], in_2024[SENSITIVE])\n'
                    "protected = table.mask(table < 5)"},
}
EX2_CAUGHT_BY = {"drop_all": "q3_test", "fk_not_l": "q4_test", "no_half": "q5_test",
                 "zeros": "q6_test"}

CASES = {"m3-ex1": (EX1_WRONG, EX1_CAUGHT_BY), "m3-ex2": (EX2_WRONG, EX2_CAUGHT_BY)}


@pytest.mark.parametrize("aid", sorted(CASES))
def test_reference_gets_full_marks_and_mistakes_lose_points(aid, tmp_path):
    wrong, caught_by = CASES[aid]
    results = grade(SOURCE / aid, {"ref": {}, **wrong}, tmp_path)
    assert results["ref"].max_score >= 10, f"{aid}: too few points to grade"
    assert_proven(aid, results, caught_by)
