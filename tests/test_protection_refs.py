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
