"""The census sample has what Module 2 teaches: clustering, the second generation, reasons.

The checks use hand computations with pandas (not migstats.disaggregation), so they test the data,
not the estimator.
"""

import numpy as np
import pandas as pd
import pytest

import migstats.datasets as ds


@pytest.fixture(scope="module")
def census():
    return ds.load("census_sample")


def _ratio_deff(data, y, x):
    """Design effect of sum(w*y)/sum(w*x): Taylor variance with PSUs in strata over the SRS one."""
    w = data["weight"]
    total_x = (w * x).sum()
    r = (w * y).sum() / total_x
    z = (w * (y - r * x) / total_x).groupby([data["stratum"], data["psu"]]).sum()
    var = sum(len(s) / (len(s) - 1) * ((s - s.mean()) ** 2).sum() for _, s in z.groupby(level=0))
    n = x.sum()
    return var / (r * (1 - r) / n)


def test_unemployment_of_migrants_clusters_by_area(census):
    in_lf = census["labour_force_status"].isin(["employed", "unemployed"])
    unemployed = (census["labour_force_status"] == "unemployed").astype(float)
    foreign = (census["country_of_birth"] != "XLM") & in_lf
    native = (census["country_of_birth"] == "XLM") & in_lf
    deff_foreign = _ratio_deff(census, unemployed * foreign, foreign.astype(float))
    deff_native = _ratio_deff(census, unemployed * native, native.astype(float))
    assert deff_foreign > 1.8, "migrants' unemployment should cluster by enumeration area"
    assert 1.1 < deff_native < deff_foreign


def test_parents_born_abroad_gives_a_second_generation(census):
    native = census["country_of_birth"] == "XLM"
    second = native & (census["parents_born_abroad"] == 2)
    mixed = native & (census["parents_born_abroad"] == 1)
    assert second.sum() > 300 and mixed.sum() > 30
    assert census.loc[second, "age"].max() <= 24, "second-generation children live with their parents"
    has_country = census["parents_country_of_birth"].notna()
    assert has_country.eq(census["parents_born_abroad"] > 0).all()
    # Foreign-born adults' parents were born in the adult's own country.
    assert (census.loc[~native & (census["age"] >= 25), "parents_born_abroad"] == 2).all()
    assert (census.loc[second, "parents_country_of_birth"] == "XTM").sum() > 50


def test_reason_for_migration_only_for_the_foreign_born(census):
    foreign = census["country_of_birth"] != "XLM"
    reason = census["reason_for_migration"]
    assert reason[foreign].notna().all() and reason[~foreign].isna().all()
    assert set(reason.dropna()) == {"work", "family", "study", "protection", "other"}
    shares = pd.crosstab(census.loc[foreign, "country_of_birth"], reason[foreign], normalize="index")
    assert shares.loc["XTM", "protection"] > 0.8
    assert shares.loc["XMR", "study"] > shares.loc["XKS", "study"]
    came_as_child = census["age"] - (2025 - census["year_of_arrival"]) < 18
    assert set(reason[foreign & came_as_child]) <= {"family", "protection"}


def test_rare_origins_sit_in_few_areas(census):
    """Some small groups have a stratum with a single PSU: Lesson 3's lonely PSU needs one."""
    in_lf = census["labour_force_status"].isin(["employed", "unemployed"])
    labour_force = census[in_lf & (census["country_of_birth"] != "XLM")]
    psus = labour_force.groupby(["country_of_birth", "stratum"], observed=True)["psu"].nunique()
    lonely = set(psus[psus == 1].index.get_level_values("country_of_birth"))
    sizes = labour_force["country_of_birth"].value_counts()
    assert any(50 < sizes[c] < 300 for c in lonely)
