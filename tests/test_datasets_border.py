"""The realistic features of the module 1 datasets: border records with their defects, census arrivals.

The border records must show what real border data show (passport renewals, dual citizens on two
passports, unrecorded exits, keyed dates), in amounts that matter but do not swamp the data; the
census must have no arrival after census day.
"""

import pandas as pd
import pytest

import migstats.datasets as ds


@pytest.fixture(scope="module")
def crossings():
    return ds.load("border_crossings")


def test_some_exits_were_never_recorded_mostly_at_land_borders(crossings):
    exits = crossings[crossings["direction"] == "exit"]
    unrecorded = exits["recorded_date"].isna()
    assert 0.02 < unrecorded.mean() < 0.10
    by_port = unrecorded.groupby(exits["port"], observed=True).mean()
    assert by_port["North Bridge"] > 4 * by_port["Capital Airport"]
    assert crossings.loc[crossings["direction"] == "entry", "recorded_date"].notna().all()


def test_dual_citizens_cross_on_two_passports(crossings):
    per_person = crossings.groupby("traveller_id")
    dual = per_person["document_country"].nunique() > 1
    assert 200 < dual.sum() < 1000
    # At least some enter on one passport and leave on the other, straight after.
    c = crossings.sort_values(["traveller_id", "date", "crossing_id"])
    nxt = c.shift(-1)
    swapped = (nxt["traveller_id"] == c["traveller_id"]) & (c["direction"] == "entry") & (
        nxt["direction"] == "exit") & (nxt["document_country"] != c["document_country"])
    assert swapped.sum() > 100


def test_renewed_passports_have_a_new_number_but_the_same_person_keys(crossings):
    same_country = crossings.groupby(["traveller_id", "document_country"], observed=True)["document_id"].nunique()
    assert (same_country > 1).sum() > 300
    keys = crossings.groupby("traveller_id")[["name_key", "date_of_birth", "sex"]].nunique()
    assert (keys == 1).all().all()
    assert crossings.groupby("document_id")["traveller_id"].nunique().eq(1).all()


def test_a_few_dates_are_keyed_wrongly_inside_the_window(crossings):
    recorded = crossings[crossings["recorded_date"].notna()]
    wrong = recorded["recorded_date"] != recorded["date"]
    assert 50 < wrong.sum() < 0.01 * len(recorded)
    assert recorded["recorded_date"].between("2022-01-01", "2024-12-31").all()


def test_border_records_are_every_crossing_of_every_traveller(crossings):
    # Not a sample of crossings: the answer key gives each traveller's crossings in strict alternation.
    c = crossings.sort_values(["traveller_id", "date", "crossing_id"])
    same = (c["traveller_id"] == c["traveller_id"].shift()) & (c["direction"] == c["direction"].shift())
    assert not same.any()


def test_census_arrivals_end_on_census_day():
    census = ds.load("census_sample")
    arrival = census["year_of_arrival"].dropna()
    assert arrival.max() == 2025
    foreign_born = census[census["country_of_birth"] != "XLM"]
    by_year = foreign_born.groupby("year_of_arrival")["weight"].sum()
    # 2025 holds January to June only: about half a year, not a full one.
    assert 0.3 < by_year[2025] / by_year[2024] < 0.7
    # Nobody who arrived in 2025 lived in Lamaria a year before census day (30 June 2024).
    recent = census[census["year_of_arrival"] == 2025]
    assert (recent["residence_1y_ago"].dropna() != "XLM").all()


def test_census_has_lamarian_second_citizenship():
    census = ds.load("census_sample")
    second_xlm = census["second_citizenship"] == "XLM"
    assert second_xlm.sum() > 100
    assert (second_xlm & (census["citizenship"] != "XLM")).sum() == second_xlm.sum()
