"""migstats.protection: l-diversity with empty sensitive values (issue 21).

l_diversity documents that an empty sensitive value is not counted as a value. References: a
case worked by hand, and the pycanon library on the records whose sensitive value is known
(pycanon cannot take empty values; its classes are the same, because classes are made from the
quasi-identifiers only, with an empty quasi-identifier as a category of its own).
"""

import numpy as np
import pandas as pd
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
