"""migstats.protection: l-diversity with empty sensitive values (issue 21).

l_diversity documents that an empty sensitive value is not counted as a value. References: a
case worked by hand, and the pycanon library on the records whose sensitive value is known
(pycanon cannot take empty values; its classes are the same, because classes are made from the
quasi-identifiers only, with an empty quasi-identifier as a category of its own).
"""

import hashlib
import hmac
import warnings

import numpy as np
import pandas as pd
import pytest
from pycanon import anonymity

from migstats import protection as sdc


def test_l_diversity_does_not_count_empty_values_by_hand():
    df = pd.DataFrame({"sex": ["female", "female", "male", "male", "male"],
                       "exploitation": ["labour", None, "labour", "sexual", None]})
    # female: {labour} (the empty value is not a value): 1; male: {labour, sexual}: 2.
    assert sdc.l_diversity(df, ["sex"], "exploitation") == 1
    # Without the female class, the smallest is 2, whatever the empty value in the male class.
    assert sdc.l_diversity(df[df["sex"] == "male"], ["sex"], "exploitation") == 2
    # A class whose sensitive values are all empty shows no value at all: l = 0.
    df.loc[0, "exploitation"] = None
    assert sdc.l_diversity(df, ["sex"], "exploitation") == 0


def test_l_diversity_with_empty_values_matches_pycanon():
    rng = np.random.default_rng(11)
    n = 400
    df = pd.DataFrame({"sex": rng.choice(["female", "male"], n),
                       "age_band": rng.choice(["0-17", "18-29", "30-49", "50+"], n),
                       "exploitation": rng.choice(["sexual", "labour", "marriage"], n,
                                                  p=[0.6, 0.3, 0.1])})
    df["exploitation"] = df["exploitation"].mask(rng.random(n) < 0.2)
    qi = ["sex", "age_band"]
    known = df.dropna(subset=["exploitation"]).reset_index(drop=True)
    assert known.groupby(qi).ngroups == df.groupby(qi).ngroups  # no class lost by dropping
    expected = anonymity.l_diversity(known, qi, ["exploitation"])
    assert sdc.l_diversity(df, qi, "exploitation") == expected


# --- the other rules at their boundaries, worked by hand ------------------------------------------

def test_top_code_keeps_the_top_value_itself():
    assert sdc.top_code(pd.Series([1, 5, 9]), 5, replacement=99).tolist() == [1, 5, 99]


def test_generalise_keeps_values_in_no_group():
    out = sdc.generalise(pd.Series(["18-20", "30-39", None]), {"18-29": ["18-20", "21-23"]})
    assert out.tolist() == ["18-29", "30-39", pd.NA]
    with pytest.raises(TypeError, match="non-empty dict"):
        sdc.generalise(pd.Series(["18-20"]), [("18-29", ["18-20"])])


def test_a_key_of_exactly_16_characters_is_enough():
    key = "k" * 16
    expected = hmac.new(key.encode(), b"A123", hashlib.sha256).hexdigest()
    assert sdc.pseudonymise(pd.Series(["A123"]), key).tolist() == [expected]
    with pytest.raises(ValueError, match="at least 16"):
        sdc.pseudonymise(pd.Series(["A123"]), "k" * 15)


def test_l_diversity_names_a_missing_sensitive_column():
    df = pd.DataFrame({"sex": ["female"], "exploitation": ["labour"]})
    with pytest.raises(KeyError, match=r"sensitive names \['outcome'\]"):
        sdc.l_diversity(df, ["sex"], "outcome")


def test_local_suppression_empties_only_the_columns_it_may():
    # Two classes of 2 and one unique (male, 50+, XKS). With k = 2 and only age_band allowed,
    # the unique loses its age band and stays unique: country is kept, so a warning says so.
    df = pd.DataFrame({"sex": ["female", "female", "male", "male", "male"],
                       "age_band": ["18-29", "18-29", "30-49", "30-49", "50+"],
                       "country": ["XNB", "XNB", "XSV", "XSV", "XKS"]})
    with pytest.warns(UserWarning, match="1 records are still in classes smaller than k = 2"):
        out = sdc.local_suppression(df, ["sex", "age_band", "country"], 2, suppress=["age_band"])
    assert out["age_band"].isna().tolist() == [False, False, False, False, True]
    assert out["country"].tolist() == df["country"].tolist()


def test_local_suppression_that_reaches_k_exactly_does_not_warn():
    # The two males are each unique (30-49 and 50+). With k = 2 their age bands are emptied, and
    # then they form one class of exactly 2: k is reached, nothing to warn about.
    df = pd.DataFrame({"sex": ["female", "female", "male", "male"],
                       "age_band": ["18-29", "18-29", "30-49", "50+"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sdc.local_suppression(df, ["sex", "age_band"], 2)
    assert out["age_band"].isna().tolist() == [False, False, True, True]
    assert sdc.k_anonymity(out, ["sex", "age_band"]) == 2


# --- exact outputs and limits (found by mutation testing) ----------------------------------------

def test_errors_name_the_argument_that_is_wrong():
    df = pd.DataFrame({"sex": ["female", "male"], "exploitation": ["labour", "sexual"],
                       "weight": [2.0, 3.0]})
    with pytest.raises(KeyError, match=r"quasi_identifiers names \['age'\]"):
        sdc.k_anonymity(df, ["sex", "age"])
    with pytest.raises(KeyError, match=r"weights names \['wt'\]"):
        sdc.equivalence_classes(df, ["sex"], weights="wt")
    for measure in (sdc.entropy_l_diversity, sdc.t_closeness):
        with pytest.raises(KeyError, match=r"sensitive names \['outcome'\]"):
            measure(df, ["sex"], "outcome")
        with pytest.raises(ValueError, match=r"sensitive names \['sex'\], which are also"):
            measure(df, ["sex"], ["exploitation", "sex"])
    with pytest.raises(KeyError, match=r"suppress names \['age'\]"):
        sdc.local_suppression(df, ["sex"], 2, suppress=["age"])
    with pytest.raises(ValueError, match=r"suppress names \['exploitation'\], which are not"):
        sdc.local_suppression(df, ["sex"], 2, suppress=["exploitation"])


def test_class_numbers_follow_the_sorted_values_not_the_row_order():
    # Sorted: female 0, male 1, the empty value last (2); a shuffled file keeps each number.
    df = pd.DataFrame({"sex": ["male", "female", None, "male"]})
    assert sdc.equivalence_classes(df, ["sex"])["class"].tolist() == [1, 0, 2, 1]
    shuffled = df.iloc[[2, 3, 1, 0]]
    assert sdc.equivalence_classes(shuffled, ["sex"])["class"].tolist() == [2, 1, 0, 1]


def test_total_variation_distance_of_several_columns_by_hand():
    a = pd.DataFrame({"citizenship": ["XNB", "XNB", "XSV", "XSV"], "sex": ["f", "m", "f", "f"]})
    b = pd.DataFrame({"citizenship": ["XNB", "XNB", "XNB", "XSV"], "sex": ["f", "m", "m", "f"]})
    # citizenship: XNB 1/2 vs 3/4, XSV 1/2 vs 1/4 -> (1/4 + 1/4) / 2
    assert sdc.total_variation_distance(a, b, "citizenship") == pytest.approx(0.25)
    # pairs: (XNB, f) 1/4 vs 1/4, (XNB, m) 1/4 vs 1/2, (XSV, f) 1/2 vs 1/4 -> (1/4 + 1/4) / 2
    assert sdc.total_variation_distance(a, b, ["citizenship", "sex"]) == pytest.approx(0.25)


def test_empty_values_are_a_category_in_total_variation_distance():
    a = pd.DataFrame({"s": ["x", None]})
    b = pd.DataFrame({"s": ["x", "x"]})
    # x 1/2 vs 1, empty 1/2 vs 0 -> (1/2 + 1/2) / 2
    assert sdc.total_variation_distance(a, b, "s") == pytest.approx(0.5)
    # a value spelled like a label for empty values is still a value: nothing in common
    c = pd.DataFrame({"s": ["(empty)"]})
    assert sdc.total_variation_distance(c, pd.DataFrame({"s": [None]}), "s") == pytest.approx(1.0)


def test_attacker_intervals_of_whole_number_tables_with_weighted_totals():
    # Weighted totals need not be whole numbers. Each row has two cells from 0 to 5:
    # x + y = 2.5 gives x in [0, 2.5]; x + y = 7.5 gives x in [2.5, 5]. The totals come in
    # another order than the rows: they are matched by label.
    lower = pd.DataFrame(0, index=["r1", "r2"], columns=["a", "b"])
    upper = pd.DataFrame(5, index=["r1", "r2"], columns=["a", "b"])
    low, high = sdc.attacker_intervals(lower, upper, pd.Series({"r2": 7.5, "r1": 2.5}))
    assert low.to_numpy().tolist() == [[0, 0], [2.5, 2.5]]
    assert high.to_numpy().tolist() == [[2.5, 2.5], [5, 5]]
    with pytest.raises(ValueError, match=r"the totals lack \['r2'\]"):
        sdc.attacker_intervals(lower, upper, pd.Series({"r1": 2.5}))
    with pytest.raises(TypeError, match="DataFrames"):
        sdc.attacker_intervals(lower, upper.to_numpy())


def test_suppression_intervals_accept_hidden_cells_as_na_in_any_column_type():
    # An object table with pd.NA (as .where(..., pd.NA) makes it): rows 10, 10; columns 9, 11.
    # The hidden cell (0, 1) is 10 - 7 = 3.
    protected = pd.DataFrame([[7, pd.NA], [2, 8]], dtype=object)
    got = sdc.suppression_intervals(protected, pd.Series([10, 10]), pd.Series([9, 11]))
    assert got.loc[(0, 1)].tolist() == [3, 3]


def test_smallest_allowed_thresholds_are_accepted():
    table = pd.DataFrame({"a": [0, 1, 2, 3]})
    # threshold 1 hides counts from 1 to 0: none
    assert sdc.suppress_small_cells(table, 1)["a"].tolist() == [0, 1, 2, 3]
    df = pd.DataFrame({"sex": ["female", "male"]})
    # k = 1: every class has at least one record, nothing is emptied
    pd.testing.assert_frame_equal(sdc.local_suppression(df, ["sex"], 1), df)
    # base 2: even counts stay, odd ones go to a neighbouring even number
    out = sdc.random_rounding(pd.DataFrame({"a": [0, 1, 2, 3]}), 2, seed=1)["a"].tolist()
    assert out[0] == 0 and out[1] in (0, 2) and out[2] == 2 and out[3] in (2, 4)
    # keep = 0: every value is drawn from the shares (x 3/4, y 1/4); keep = 1: identity
    values = pd.Series(["x", "x", "x", "y"])
    np.testing.assert_allclose(sdc.pram_matrix(values, 0), [[0.75, 0.25], [0.75, 0.25]])
    np.testing.assert_allclose(sdc.pram_matrix(values, 1), [[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="probability"):
        sdc.pram_matrix(values, 1.5)


def test_suppressed_cells_are_na_in_a_nullable_float_table():
    out = sdc.suppress_small_cells(pd.DataFrame({"a": [0, 2, 7]}), 3)
    assert str(out["a"].dtype) == "Float64" and out["a"].iloc[1] is pd.NA
    with pytest.raises(TypeError, match="counts"):
        sdc.suppress_small_cells(pd.Series([4, "many"]), 3)


def test_random_rounding_of_a_series_keeps_it_a_series():
    counts = pd.Series([10, 7, 3], index=["XNB", "XSV", "XKS"], name="victims")
    out = sdc.random_rounding(counts, 5, seed=2)
    assert isinstance(out, pd.Series) and out.name == "victims"
    assert out.index.tolist() == ["XNB", "XSV", "XKS"]
    assert out["XNB"] == 10 and out["XSV"] in (5, 10) and out["XKS"] in (0, 5)


def test_random_rounding_draws_each_cell_and_repeats_with_its_seed():
    table = pd.DataFrame({"a": [1] * 100})  # each cell goes to 0 or 2 with probability 1/2
    first = sdc.random_rounding(table, 2, seed=5)
    # all 100 the same way has probability 2 * 2**-100: the cells are drawn one by one
    assert set(first["a"]) == {0, 2}
    pd.testing.assert_frame_equal(sdc.random_rounding(table, 2, seed=5), first)


def test_individual_risk_is_quiet_and_labelled_like_the_file():
    # Everybody in the sample (weights 1): p = 1, the risk is 1 / fk with no division warning.
    df = pd.DataFrame({"sex": ["female", "female", "male"]}, index=[10, 20, 30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        risk = sdc.individual_risk(df, ["sex"], [1.0, 1.0, 1.0])
    assert risk.name == "risk" and risk.index.tolist() == [10, 20, 30]
    assert risk.tolist() == [0.5, 0.5, 1.0]


def test_entropy_l_diversity_of_a_class_with_no_known_value_is_zero():
    df = pd.DataFrame({"q": ["a", "a", "b"], "s": ["x", "y", None]})
    assert sdc.entropy_l_diversity(df, ["q"], "s") == 0.0


def test_generalise_keeps_empty_values_empty_even_if_a_group_lists_them():
    out = sdc.generalise(pd.Series(["?", None], dtype=object), {"unknown": ["?", None]})
    assert out.iloc[0] == "unknown" and pd.isna(out.iloc[1])


def test_pram_matrix_is_labelled_by_value_and_pram_keeps_the_index():
    values = pd.Series(["y", "x", None, "y"], index=[4, 5, 6, 7])
    matrix = sdc.pram_matrix(values, 1)
    assert matrix.index.tolist() == matrix.columns.tolist() == ["x", "y"]
    out = sdc.pram(values, matrix, seed=0)  # keep = 1: nobody moves
    assert out.index.tolist() == [4, 5, 6, 7] and str(out.dtype) == "string"
    assert out.tolist() == ["y", "x", pd.NA, "y"]
    with pytest.raises(ValueError, match=r"no row for the values \['z'\]"):
        sdc.pram(pd.Series(["x", "z"]), matrix, seed=0)


def test_pram_with_one_value_and_empties():
    matrix = pd.DataFrame([[1.0]], index=["x"], columns=["x"])
    assert sdc.pram(pd.Series([None, "x"]), matrix, seed=0).tolist() == [pd.NA, "x"]


def test_pram_draws_past_a_row_total_just_under_one_go_to_the_last_column():
    # Row x adds up to 0.999995 (np.allclose accepts it as 1). A draw u above 0.999995 lies past
    # the last cumulative share; it goes to the last column, y. By hand: x when u <= 0.5, else y.
    # The seed was chosen so that one of the 8 draws is above 0.999995 (the 5th: 0.9999974).
    matrix = pd.DataFrame([[0.5, 0.499995], [0.0, 1.0]], index=["x", "y"], columns=["x", "y"])
    u = np.random.default_rng(29363).random(8)
    assert (u > 0.999995).any()
    out = sdc.pram(pd.Series(["x"] * 8), matrix, seed=29363)
    assert out.tolist() == np.where(u <= 0.5, "x", "y").tolist()
