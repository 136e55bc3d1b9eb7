"""The trafficking case files have the properties module 3 teaches with.

Checked by hand computations and plain pandas, not by migstats.protection: the published file is
k-anonymous but not 2-diverse; Kestovan cases are almost all forced labour (the group fact of
lesson 5); the release that m3-ex2 asks for keeps skewed classes and classes with one value of
debt bondage; and ``publish`` empties values only in records at risk, in the documented order.
"""

import numpy as np
import pandas as pd

import migstats.datasets as ds
from migstats.datasets import trafficking

QI = trafficking.QUASI_IDENTIFIERS


def sizes(df):
    """Class size of each record, empty values as a value of their own (plain pandas)."""
    key = df[QI].astype("string").fillna("(empty)")
    key = key[QI[0]].str.cat([key[c] for c in QI[1:]], sep="|")
    return key.map(key.value_counts()), key


def test_published_file_is_k_anonymous_but_not_2_diverse():
    pub = ds.load("trafficking_cases")
    size, key = sizes(pub)
    assert size.min() >= trafficking.K
    assert pub["type_of_exploitation"].groupby(key).nunique().min() == 1


def test_kestovan_cases_are_almost_all_forced_labour():
    raw = ds.load("trafficking_cases_raw")
    kestova = raw.loc[raw["citizenship"] == "XKS", "type_of_exploitation"]
    assert (kestova == "forced labour").mean() > 0.9


def test_the_agreed_release_keeps_skewed_and_debt_homogeneous_classes():
    raw = ds.load("trafficking_cases_raw")
    df = raw[QI + ["type_of_exploitation", "control_debt_bondage"]].astype({c: object for c in QI})
    df["age_band"] = df["age_band"].map(trafficking.BROAD_AGE_BANDS)
    for column in ["country_of_exploitation", "age_band", "citizenship"]:
        df.loc[sizes(df)[0] < 5, column] = None
    df = df[sizes(df)[0] >= 5]
    key = sizes(df)[1]
    df = df[df["type_of_exploitation"].groupby(key).transform("nunique") >= 2]
    key = sizes(df)[1]
    top = df["type_of_exploitation"].groupby(key).transform(
        lambda s: s.value_counts(normalize=True).max())
    debt = df["control_debt_bondage"].groupby(key).transform("nunique")
    assert (top >= 0.8).sum() > 0.05 * len(df)  # lesson 3 and m3-ex2 question 5
    assert (debt == 1).sum() > 0  # m3-ex2 question 6


def test_publish_empties_values_only_in_records_at_risk_in_order():
    # six identical records are safe; one lone record of another citizenship is at risk
    row = {"gender": "female", "age_band": "18-20", "citizenship": "XLM",
           "country_of_exploitation": "XLM", "year_of_registration": 2020,
           "type_of_exploitation": "other"}
    ids = {"case_id": "C", "full_name": "N", "phone": None, "date_of_birth": pd.NaT}
    raw = pd.DataFrame([{**ids, **row}] * 6 + [{**ids, **row, "citizenship": "XKS"}]
                       + [{**ids, **row, "citizenship": "XPL"}] * 4)
    out = trafficking.publish(raw, np.random.default_rng(0))
    assert set(out.columns) >= set(QI) and "full_name" not in out.columns
    # the lone XKS record and the four XPL records lose their citizenship first and join each other
    assert out["citizenship"].isna().sum() == 5
    assert (out["citizenship"] == "XLM").sum() == 6
    assert out["age_band"].eq("18-29").all()  # the age bands are merged for every record
    assert len(out) == 11
