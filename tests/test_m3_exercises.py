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
    # the weighted risk sum again, for an intruder who knows the person was sampled
    "sampled_weighted": {"q6b": 'reidentifications_if_sampled = float(sdc.individual_risk(census, '
                                '["region", "sex", "age", "country_of_birth"], "weight").sum())'},
}
EX1_CAUGHT_BY = {"plain_hash": "q2_test", "dropna": "q3_test", "fraction": "q4_test",
                 "no_weights": "q6_test", "sampled_weighted": "q6b_test"}

EX2_WRONG = {
    # drop every record at risk instead of suppressing values first
    "drop_all": {"q3": 'safe = broad[sdc.equivalence_classes(broad, QUASI_IDENTIFIERS)["fk"] >= 5]'},
    # the wrong suppression order: citizenship first (5-anonymous, but not what was agreed)
    "citizenship_first": {"q3": "with warnings.catch_warnings():\n"
                                "    warnings.simplefilter('ignore')\n"
                                "    out = sdc.local_suppression(broad, QUASI_IDENTIFIERS, k=5, suppress=["
                                "'citizenship', 'age_band', 'country_of_exploitation'])\n"
                                'safe = out[sdc.equivalence_classes(out, QUASI_IDENTIFIERS)["fk"] >= 5]'},
    # classes counted instead of the records in them
    "skew_classes": {"q4b": "keys = release.groupby(QUASI_IDENTIFIERS, dropna=False, observed=True).ngroup()\n"
                            "top = release[SENSITIVE].groupby(keys).agg(lambda s: s.value_counts(normalize=True).max())\n"
                            "n_skewed = int((top >= 0.8).sum())"},
    "debt_classes": {"q4c": "keys = release.groupby(QUASI_IDENTIFIERS, dropna=False, observed=True).ngroup()\n"
                            "n_debt_same = int((release['control_debt_bondage'].groupby(keys).nunique() == 1).sum())"},
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
EX2_CAUGHT_BY = {"drop_all": "q3_test", "citizenship_first": "q3_test", "skew_classes": "q4b_test",
                 "debt_classes": "q4c_test", "fk_not_l": "q4_test", "no_half": "q5_test",
                 "zeros": "q6_test"}

EX3_WRONG = {
    # the budget divided by the ten years: the years hold different people (parallel composition)
    "budget_by_years": {"q1": "epsilon_per_cell = TABLE_EPSILON / 10"},
    # no noise at all
    "no_noise": {"q2": "noisy = counts.copy()"},
    # the whole budget of both products spent on the table
    "whole_budget": {"q2": "noisy = privacy.laplace_counts(counts, 3.0)"},
    # the true totals next to noisy cells: not protected, and they do not add up
    "true_totals": {"q3": 'block = noisy.loc[2024].clip(lower=0)\n'
                          'block["total"] = counts.loc[2024].sum(axis=1)\n'
                          'block.loc["total"] = block.sum(axis=0)\n'
                          "published_2024 = block"},
    # the real file passed off as synthetic
    "real_as_synthetic": {"q4": "synthetic = real.copy()"},
    # the total variation distance without the factor one half
    "no_half": {"q5": 'p = real[["citizenship", "type_of_exploitation"]].astype("string").fillna("e").value_counts(normalize=True)\n'
                      'q = synthetic[["citizenship", "type_of_exploitation"]].astype("string").fillna("e").value_counts(normalize=True)\n'
                      "p, q = p.align(q, fill_value=0)\n"
                      "tvd_citizenship_type = float((p - q).abs().sum())"},
    # rates as fractions, not percentages
    "fraction_gap": {"q6": "def debt_rate(d):\n"
                           '    known = d.dropna(subset=["type_of_exploitation", "control_debt_bondage"])\n'
                           '    return known.groupby("type_of_exploitation", observed=True)["control_debt_bondage"].mean()\n'
                           "debt_rate_gap = float((debt_rate(real) - debt_rate(synthetic)).abs().max())"},
    # the share of synthetic records that match a real record, not of real uniques copied
    "matching_share": {"q7": "def keys(d):\n"
                             '    text = d[COLUMNS].astype("string").fillna("(empty)")\n'
                             '    return text["gender"].str.cat([text[c] for c in COLUMNS[1:]], sep="|")\n'
                             "copied_share = float(keys(synthetic).isin(set(keys(real))).mean())"},
    # the true-positive rate alone
    "tpr_only": {"q8": "def record_keys(d):\n"
                       '    text = d[COLUMNS].astype("string").fillna("(empty)")\n'
                       '    return text["gender"].str.cat([text[c] for c in COLUMNS[1:]], sep="|")\n'
                       'rare = real.groupby(COLUMNS, dropna=False, observed=True)["gender"].transform("size") <= 5\n'
                       "advantage_overfit = float(record_keys(members[rare[is_member]]).isin(set(record_keys(overfit))).mean())"},
}
EX3_CAUGHT_BY = {"budget_by_years": "q1_test", "no_noise": "q2_test", "whole_budget": "q2_test",
                 "true_totals": "q3_test", "real_as_synthetic": "q4_test", "no_half": "q5_test",
                 "fraction_gap": "q6_test", "matching_share": "q7_test", "tpr_only": "q8_test"}

CASES = {"m3-ex1": (EX1_WRONG, EX1_CAUGHT_BY), "m3-ex2": (EX2_WRONG, EX2_CAUGHT_BY),
         "m3-ex3": (EX3_WRONG, EX3_CAUGHT_BY)}


@pytest.mark.parametrize("aid", sorted(CASES))
def test_reference_gets_full_marks_and_mistakes_lose_points(aid, tmp_path):
    wrong, caught_by = CASES[aid]
    results = grade(SOURCE / aid, {"ref": {}, **wrong}, tmp_path)
    assert results["ref"].max_score >= 10, f"{aid}: too few points to grade"
    assert_proven(aid, results, caught_by)
