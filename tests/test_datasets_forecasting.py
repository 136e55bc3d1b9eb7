"""The module 5 datasets are true to their datacards: drivers, shocks, signals and the triage bias."""

import numpy as np
import pandas as pd
import pytest

import migstats.datasets as ds
from migstats.datasets import build, monthly_flows, triage


@pytest.fixture(scope="module")
def flows():
    return ds.load("monthly_flows")


def test_monthly_tables_regenerate_identically():
    again = monthly_flows.generate(np.random.default_rng([build.DEFAULT_SEED, 6]))
    for name, table in zip(("monthly_flows", "monthly_flows_future", "flow_drivers", "digital_signals"), again):
        committed = ds.load(name)
        assert len(committed) == len(table), name
        assert np.array_equal(committed.select_dtypes("number").to_numpy(dtype=float, na_value=-1),
                              table[committed.select_dtypes("number").columns].to_numpy(dtype=float, na_value=-1)), name


def test_data_stop_at_2024_and_the_future_holds_2025(flows):
    future = ds.load("monthly_flows_future")
    assert flows["month"].max() == pd.Timestamp("2024-12-01")
    assert set(future["month"].dt.year) == {2025}
    keys = ["category", "origin"]
    assert set(map(tuple, flows[keys].drop_duplicates().astype(str).to_numpy())) == \
        set(map(tuple, future[keys].drop_duplicates().astype(str).to_numpy()))
    # the future draws scatter around their expected values
    ratio = future["flow"].sum() / future["expected"].sum()
    assert 0.95 < ratio < 1.05


def test_2020_collapse(flows):
    yearly = flows.groupby(flows["month"].dt.year)["flow"].sum()
    assert yearly[2020] < 0.7 * yearly[2019]
    spring = flows[flows["month"].between("2020-04-01", "2020-05-01")]["flow"].sum()
    assert spring < 0.3 * flows[flows["month"].between("2019-04-01", "2019-05-01")]["flow"].sum()


def test_conflict_surge_leads_asylum_from_tamesh(flows):
    drv = ds.load("flow_drivers").query("origin == 'XTM'").set_index("month")["conflict_events"]
    asylum = flows.query("origin == 'XTM' and category == 'asylum'").set_index("month")["flow"]
    assert asylum["2023"].sum() > 2.5 * asylum["2021"].sum()
    lagged = drv.shift(2).reindex(asylum.index)
    assert lagged.corr(asylum) > drv.reindex(asylum.index).corr(asylum)


def test_study_peaks_in_september_and_visa_scheme_raises_labour(flows):
    study = flows.query("category == 'study'").groupby(flows["month"].dt.month)["flow"].sum()
    assert study.idxmax() == 9
    kestova = flows.query("category == 'labour' and origin == 'XKS'").set_index("month")["flow"]
    assert kestova["2022"].sum() > 1.3 * kestova["2019"].sum()


def test_search_index_follows_media_more_than_movement():
    sig = ds.load("digital_signals").query("origin == 'XTM'").set_index("month")
    assert sig["search_index"].max() == 100
    asylum = ds.load("monthly_flows").query("origin == 'XTM' and category == 'asylum'").set_index("month")["flow"]
    both = sig.join(asylum).dropna(subset=["flow"])
    assert both["search_index"].corr(both["media_attention"]) > both["search_index"].corr(both["flow"])


def test_mobile_signal_starts_2018_and_its_coverage_grows():
    sig = ds.load("digital_signals").query("origin == 'XKS'").set_index("month")
    assert sig.loc[:"2017-12-01", "mobile_arrivals"].isna().all()
    assert sig.loc["2018-01-01":, "mobile_arrivals"].notna().all()
    labour = ds.load("monthly_flows").query("origin == 'XKS' and category == 'labour'").set_index("month")["flow"]
    share = sig["mobile_arrivals"].astype(float) / labour
    assert share["2024"].mean() > share["2018"].mean() + 0.2


@pytest.fixture(scope="module")
def cases():
    return ds.load("triage_cases")


def test_triage_truth_follows_one_rule_for_all(cases):
    # The eligibility rule does not use nationality: given the file, rates agree between groups.
    x = cases.assign(score=triage.eligibility_score(cases.astype({c: int for c in (
        "documents_complete", "sponsor", "prior_overstay", "language_test")})))
    expected = 1 / (1 + np.exp(-x["score"]))
    by_group = (x["eligible"] - expected).groupby(x["nationality"], observed=True).mean()
    assert by_group.abs().max() < 0.04


def test_triage_history_is_biased_against_eligible_kestova_men(cases):
    refused = ~cases.loc[cases["eligible"], "granted"]
    rate = refused.groupby([cases["nationality"], cases["sex"]], observed=True).mean()
    assert rate[("XKS", "male")] > 0.28
    assert 0.08 < rate[("XKS", "female")] < 0.25
    others = rate.drop("XKS", level=0)
    assert others.max() < 0.09
    # the consulate channel is a proxy for Kestova
    consulate = (cases["channel"] == "consulate").groupby(cases["nationality"], observed=True).mean()
    assert consulate.idxmax() == "XKS"
