"""Tests of migstats.protection against independent references.

- k-anonymity, l-diversity, equivalence classes and local suppression: the pycanon library on
  the same data (pycanon drops empty values when it groups, so the tests give it empty values
  as a visible category, which is this module's convention).
- individual_risk: values printed in sdcMicro's own tests, file tests/testthat/test_indivRisk.R
  of github.com/sdcTools/sdcMicro, case "data frame with weight, method = approx, qual =
  default, survey = TRUE" (key variables A, B, C and a weight, eight records, typed in below).
- pseudonymise: RFC 4231 (HMAC-SHA256 test vectors), test case 6.
- generalise, top_code, suppress_small_cells: small cases worked by hand.
- entropy_l_diversity, t_closeness: pycanon (entropy l-diversity rounded down; t-closeness with
  the equal distance), and a class worked by hand.
- attacker_intervals, suppression_intervals: the Frechet bounds of a 2 x 2 table with every cell
  hidden, max(0, r + c - N) <= x <= min(r, c), and a row with one hidden cell (exact).
- random_rounding and pram: expected values by hand, checked statistically with fixed seeds.

migstats.privacy has its own file, tests/test_privacy.py.
"""

import numpy as np
import pandas as pd
import pytest
from pycanon import anonymity

from migstats import protection as sdc

QI = ["sex", "age_band", "country"]


@pytest.fixture
def microdata():
    """A seeded random file with a few empty values: small classes and some uniques."""
    rng = np.random.default_rng(7)
    n = 300
    df = pd.DataFrame({
        "sex": rng.choice(["female", "male"], n),
        "age_band": rng.choice(["0-17", "18-29", "30-49", "50+"], n, p=[0.2, 0.4, 0.3, 0.1]),
        "country": rng.choice(["XNB", "XSV", "XKS", "XPL", "XMR", "XTM"], n,
                              p=[0.4, 0.3, 0.15, 0.1, 0.04, 0.01]),
        "exploitation": rng.choice(["sexual", "labour", "marriage"], n, p=[0.5, 0.4, 0.1]),
        "weight": rng.uniform(1, 40, n),
    })
    df.loc[rng.choice(n, 15, replace=False), "age_band"] = None
    return df


def for_pycanon(df):
    """Empty values as a visible category (pycanon's groupby would drop them)."""
    return df.astype(object).fillna("(empty)")


# sdcMicro tests/testthat/test_indivRisk.R: the data (array filled column-wise) and the risks.
SDCMICRO_DATA = pd.DataFrame({
    "A": [2, 3, 2, 2, 3, 3, 1, 2],
    "B": [3, 3, 3, 3, 3, 3, 4, 3],
    "C": [1, 3, 1, 2, 1, 1, 1, 1],
    "weight": [18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51],
})
SDCMICRO_RK = [0.01369863, 0.08579129, 0.01369863, 0.17707583,
               0.01877883, 0.01877883, 0.03931625, 0.01369863]


def test_individual_risk_matches_sdcmicro():
    risk = sdc.individual_risk(SDCMICRO_DATA, ["A", "B", "C"], "weight")
    np.testing.assert_allclose(risk, SDCMICRO_RK, atol=5e-9)


def test_individual_risk_accepts_weights_as_values():
    risk = sdc.individual_risk(SDCMICRO_DATA, ["A", "B", "C"], SDCMICRO_DATA["weight"].to_numpy())
    np.testing.assert_allclose(risk, SDCMICRO_RK, atol=5e-9)


def test_individual_risk_of_a_census_is_one_over_fk():
    # sdcMicro's survey = FALSE case of the same file gives 1/fk (1/3, 1, 1/3, 1, 1/2, ...).
    risk = sdc.individual_risk(SDCMICRO_DATA, ["A", "B", "C"], np.ones(8))
    np.testing.assert_allclose(risk, [1 / 3, 1, 1 / 3, 1, 1 / 2, 1 / 2, 1, 1 / 3])


def test_equivalence_classes_fk_and_Fk():
    classes = sdc.equivalence_classes(SDCMICRO_DATA, ["A", "B", "C"], weights="weight")
    assert classes["fk"].tolist() == [3, 1, 3, 1, 2, 2, 1, 3]
    np.testing.assert_allclose(classes["Fk"], [108, 45.5, 108, 17, 100, 100, 123.5, 108])
    assert classes["class"].nunique() == 5
    assert "Fk" not in sdc.equivalence_classes(SDCMICRO_DATA, ["A", "B", "C"]).columns


def test_equivalence_classes_match_pycanon(microdata):
    ours = sdc.equivalence_classes(microdata, QI)
    theirs = anonymity.utils.aux_anonymity.get_equiv_class(for_pycanon(microdata), QI)
    assert ours["class"].nunique() == len(theirs)
    for members in theirs:
        assert ours.loc[members, "class"].nunique() == 1
        assert (ours.loc[members, "fk"] == len(members)).all()


@pytest.mark.parametrize("qi", [["sex"], ["sex", "age_band"], QI])
def test_k_anonymity_matches_pycanon(microdata, qi):
    assert sdc.k_anonymity(microdata, qi) == anonymity.k_anonymity(for_pycanon(microdata), qi)


@pytest.mark.parametrize("qi", [["sex"], ["sex", "age_band"], QI])
def test_l_diversity_matches_pycanon(microdata, qi):
    expected = anonymity.l_diversity(for_pycanon(microdata), qi, ["exploitation"])
    assert sdc.l_diversity(microdata, qi, "exploitation") == expected


def test_local_suppression_reaches_k_by_pycanon(microdata):
    for k in (2, 3, 5):
        out = sdc.local_suppression(microdata, ["country", "age_band", "sex"], k)
        assert anonymity.k_anonymity(for_pycanon(out), QI) >= k
        # only records at risk before lose values, and only in quasi-identifiers
        at_risk = sdc.equivalence_classes(microdata, QI)["fk"] < k
        changed = (for_pycanon(out) != for_pycanon(microdata)).any(axis=1)
        assert not (changed & ~at_risk).any()
        pd.testing.assert_frame_equal(out.drop(columns=QI), microdata.drop(columns=QI))
    assert microdata["country"].notna().all(), "the input frame must not change"


def test_local_suppression_warns_when_k_cannot_be_reached():
    df = pd.DataFrame({"a": ["x", "y", "z"], "b": ["u", "v", "w"]})
    with pytest.warns(UserWarning, match="still in classes smaller"):
        sdc.local_suppression(df, ["a", "b"], 5)


def test_pseudonymise_is_hmac_sha256_rfc4231():
    key = b"\xaa" * 131
    out = sdc.pseudonymise(pd.Series(["Test Using Larger Than Block-Size Key - Hash Key First"]), key)
    assert out.iloc[0] == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"


def test_pseudonymise_keeps_links_and_empties():
    key = "a long secret key for the tests"
    out = sdc.pseudonymise(pd.Series(["+100 555 0101", None, "+100 555 0101", "+100 555 0102"]), key)
    assert out.iloc[0] == out.iloc[2] != out.iloc[3]
    assert pd.isna(out.iloc[1])
    other = sdc.pseudonymise(pd.Series(["+100 555 0101"]), key + "!")
    assert other.iloc[0] != out.iloc[0], "another key must give another pseudonym"


@pytest.mark.parametrize("key", [None, "", "short", b"123"])
def test_pseudonymise_needs_a_real_key(key):
    with pytest.raises(ValueError, match="at least 16"):
        sdc.pseudonymise(pd.Series(["x"]), key)


def test_generalise_by_hand():
    ages = pd.Series(["18-20", "21-23", "30-38", None, "48+"])
    out = sdc.generalise(ages, {"18-29": ["18-20", "21-23", "24-26", "27-29"],
                                "30+": ["30-38", "39-47", "48+"]})
    assert out.tolist()[:3] == ["18-29", "18-29", "30+"]
    assert pd.isna(out.iloc[3]) and out.iloc[4] == "30+"


def test_generalise_rejects_bad_groups():
    ages = pd.Series(["18-20", "21-23"])
    with pytest.raises(ValueError, match="two groups"):
        sdc.generalise(ages, {"a": ["18-20"], "b": ["18-20"]})
    with pytest.raises(TypeError, match="list of old"):
        sdc.generalise(ages, {"a": "18-20"})
    with pytest.raises(ValueError, match="spelling"):
        sdc.generalise(ages, {"a": ["18 - 20"]})


def test_top_code_by_hand():
    out = sdc.top_code(pd.Series([3, 80, 95, None]), 80)
    assert out.iloc[:3].tolist() == [3, 80, 80] and pd.isna(out.iloc[3])
    assert sdc.top_code(pd.Series([3, 95]), 80, replacement=85).tolist() == [3, 85]
    with pytest.raises(TypeError, match="generalise"):
        sdc.top_code(pd.Series(["18-20", "48+"]), 80)


def test_suppress_small_cells_by_hand():
    table = pd.DataFrame({"female": [0, 1, 12], "male": [3, 10, 2]}, index=["a", "b", "c"])
    out = sdc.suppress_small_cells(table, 3)
    assert out.isna().sum().sum() == 2
    assert pd.isna(out.loc["b", "female"]) and pd.isna(out.loc["c", "male"])
    assert out.loc["a", "female"] == 0 and out.loc["a", "male"] == 3
    series = sdc.suppress_small_cells(pd.Series([4, 5, 6]), 5)
    assert pd.isna(series.iloc[0]) and series.iloc[1:].tolist() == [5, 6]


@pytest.mark.parametrize("call, error, words", [
    (lambda d: sdc.k_anonymity(d, ["sex", "age"]), KeyError, "age"),
    (lambda d: sdc.k_anonymity(d.iloc[0:0], ["sex"]), ValueError, "empty"),
    (lambda d: sdc.k_anonymity(d, []), ValueError, "at least one"),
    (lambda d: sdc.l_diversity(d, ["sex"], "type"), KeyError, "type"),
    (lambda d: sdc.l_diversity(d, ["sex", "exploitation"], "exploitation"), ValueError,
     "also a quasi-identifier"),
    (lambda d: sdc.equivalence_classes(d, ["sex"], weights=d["weight"] / 100), ValueError,
     "below 1"),
    (lambda d: sdc.individual_risk(d, ["sex"], "wt"), KeyError, "wt"),
    (lambda d: sdc.individual_risk(d, ["sex"], [2.0, 3.0]), ValueError, "one weight per record"),
    (lambda d: sdc.local_suppression(d, ["sex"], 0), ValueError, "at least 1"),
    (lambda d: sdc.suppress_small_cells(d[["sex"]].value_counts(), 0), ValueError, "at least 1"),
    (lambda d: sdc.suppress_small_cells(d[["sex", "exploitation"]], 3), TypeError, "counts"),
    (lambda d: sdc.suppress_small_cells(pd.Series([], dtype=float), 3), ValueError, "empty"),
])
def test_bad_input_gets_a_clear_error(microdata, call, error, words):
    with pytest.raises(error, match=words):
        call(microdata)


def test_entropy_l_diversity_matches_pycanon(microdata):
    got = sdc.entropy_l_diversity(microdata, ["sex", "age_band"], "exploitation")
    expected = anonymity.entropy_l_diversity(for_pycanon(microdata), ["sex", "age_band"],
                                             ["exploitation"])
    assert int(got) == expected


def test_entropy_l_diversity_by_hand_and_several_attributes():
    df = pd.DataFrame({"q": ["a"] * 4 + ["b"] * 4, "s": list("xxyy") + list("xyzw"),
                       "t": ["u"] * 4 + list("uvuv")})
    assert sdc.entropy_l_diversity(df, ["q"], "s") == pytest.approx(2.0)  # exp(log 2) in class a
    assert sdc.entropy_l_diversity(df, ["q"], ["s", "t"]) == pytest.approx(1.0)  # t is 1 in a
    df.loc[0, "s"] = None  # an empty sensitive value is not a value: class a is x, y, y
    expected = np.exp(-(1 / 3 * np.log(1 / 3) + 2 / 3 * np.log(2 / 3)))
    assert sdc.entropy_l_diversity(df, ["q"], "s") == pytest.approx(expected)


def test_t_closeness_matches_pycanon(microdata):
    got = sdc.t_closeness(microdata, ["sex", "age_band"], "exploitation")
    expected = anonymity.t_closeness(for_pycanon(microdata), ["sex", "age_band"], ["exploitation"])
    assert got == pytest.approx(expected)


def test_t_closeness_by_hand():
    df = pd.DataFrame({"q": ["a", "a", "b", "b"], "s": ["x", "x", "x", "y"]})
    # overall x 3/4, y 1/4; class a: x 1 -> distance 1/4; class b: x 1/2 -> distance 1/4
    assert sdc.t_closeness(df, ["q"], "s") == pytest.approx(0.25)


def test_total_variation_distance_by_hand():
    a = pd.DataFrame({"s": ["x", "x", "y", "z"]})
    b = pd.DataFrame({"s": ["x", "y", "y", "y"]})
    assert sdc.total_variation_distance(a, b, "s") == pytest.approx(0.5)  # (1/4 + 1/2 + 1/4) / 2
    # empty values of different types (nan in an object column, <NA> in a string column) match
    c = pd.DataFrame({"s": ["x", None, None, "y"]}, dtype=object)
    d = pd.DataFrame({"s": pd.array(["x", pd.NA, pd.NA, "y"], dtype="string")})
    assert sdc.total_variation_distance(c, d, "s") == pytest.approx(0.0)


def test_attacker_intervals_are_the_frechet_bounds():
    table = pd.DataFrame([[7, 3], [2, 8]], index=["r1", "r2"], columns=["c1", "c2"])
    rows, cols, n = table.sum(axis=1), table.sum(axis=0), table.to_numpy().sum()
    hidden = table.astype("Float64").mask(table >= 0)
    got = sdc.suppression_intervals(hidden, rows, cols)
    for (r, c), row in got.iterrows():
        assert row["lower"] == max(0, rows[r] + cols[c] - n)
        assert row["upper"] == min(rows[r], cols[c])


def test_one_hidden_cell_in_a_row_is_disclosed():
    table = pd.DataFrame([[7, 3, 5], [2, 8, 6]], columns=["a", "b", "c"])
    protected = table.astype("Float64")
    protected.iloc[0, 1] = pd.NA
    got = sdc.suppression_intervals(protected, table.sum(axis=1), None)
    assert got.loc[(0, "b")].tolist() == [3, 3]
    only_columns = sdc.suppression_intervals(protected, None, table.sum(axis=0))
    assert only_columns.loc[(0, "b")].tolist() == [3, 3]
    neither = sdc.suppression_intervals(protected)
    assert neither.loc[(0, "b"), "lower"] == 0 and np.isinf(neither.loc[(0, "b"), "upper"])


def test_attacker_intervals_reject_contradictory_totals():
    lower = pd.DataFrame([[1.0, 0.0]])
    upper = pd.DataFrame([[1.0, np.inf]])
    with pytest.raises(ValueError, match="contradict"):
        sdc.attacker_intervals(lower, upper, pd.Series([0]), None)


def test_random_rounding_is_unbiased_and_on_the_base():
    table = pd.DataFrame({"a": [0, 1, 4, 5], "b": [7, 10, 12, 3]})
    draws = np.stack([sdc.random_rounding(table, 5, seed).to_numpy() for seed in range(4000)])
    assert (draws % 5 == 0).all()
    assert (draws[:, [0, 3], 0] == [0, 5]).all()  # multiples of the base never move
    assert (np.abs(draws - table.to_numpy()) < 5).all()  # to a neighbouring multiple only
    # the mean of 4000 draws is within 4 standard errors (at most 2.5 / sqrt(4000) = 0.04)
    np.testing.assert_allclose(draws.mean(axis=0), table.to_numpy(), atol=0.16)


def test_random_rounding_rejects_bad_input():
    with pytest.raises(ValueError, match="base"):
        sdc.random_rounding(pd.DataFrame({"a": [1]}), 1, 0)
    with pytest.raises(TypeError, match="counts"):
        sdc.random_rounding(pd.DataFrame({"a": [1.5]}), 5, 0)


def test_pram_matrix_is_invariant_by_hand():
    values = pd.Series(["x", "x", "x", "y"])
    matrix = sdc.pram_matrix(values, keep=0.8)
    # by hand: P = 0.8 I + 0.2 [[.75, .25], [.75, .25]]
    np.testing.assert_allclose(matrix.to_numpy(), [[0.95, 0.05], [0.15, 0.85]])
    share = np.array([0.75, 0.25])
    np.testing.assert_allclose(share @ matrix.to_numpy(), share)


def test_pram_draws_follow_the_matrix():
    values = pd.Series(["x"] * 6000 + ["y"] * 4000 + [None] * 5)
    matrix = sdc.pram_matrix(values, keep=0.7)
    out = sdc.pram(values, matrix, seed=3)
    assert out.isna().sum() == 5
    moved = pd.crosstab(values, out, normalize="index")
    # each row has 4000 or more draws: the standard error of a share is below 0.008
    np.testing.assert_allclose(moved.to_numpy(), matrix.to_numpy(), atol=0.03)
    assert out.equals(sdc.pram(values, matrix, seed=3))
