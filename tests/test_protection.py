"""Tests of migstats.protection against independent references.

- k-anonymity, l-diversity, equivalence classes and local suppression: the pycanon library on
  the same data (pycanon drops empty values when it groups, so the tests give it empty values
  as a visible category, which is this module's convention).
- individual_risk: values printed in sdcMicro's own tests, file tests/testthat/test_indivRisk.R
  of github.com/sdcTools/sdcMicro, case "data frame with weight, method = approx, qual =
  default, survey = TRUE" (key variables A, B, C and a weight, eight records, typed in below).
- pseudonymise: RFC 4231 (HMAC-SHA256 test vectors), test case 6.
- generalise, top_code, suppress_small_cells: small cases worked by hand.
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
