"""migstats.definitions: censoring and short-trip merging, worked by hand (issue 21).

The rules (UN 1998 Recommendations, as the module docstring states them): a stay or absence
shorter than 3 months joins the spell before it, but a censored spell is never joined, because
its true length is unknown; a right-censored spell that has not reached 12 months makes the
move "undetermined".
"""

import pandas as pd
import pytest

from migstats import definitions as d

SHORT_WINDOW = dict(window_start="2022-01-01", window_end="2023-12-31")
REFERENCE = dict(reference_start="2023-01-01", reference_end="2023-12-31")


def crossings(*events):
    return pd.DataFrame(events, columns=["traveller_id", "date", "direction"]).assign(
        date=lambda t: pd.to_datetime(t["date"]))


def test_a_short_censored_stay_is_undetermined_not_a_visit():
    # Arrives on 1 December 2023; the window ends on 31 December 2023: 31 days observed (a censored
    # spell ends on the day after the window's last day, the course's one day convention), fewer
    # than 3 months, but the stay goes on after the window and may still pass 12 months. It is
    # not joined to the absence before it (that would make the arrival a "short visit" and the
    # traveller a "visitor").
    table = crossings(("N", "2023-12-01", "entry"))
    out = d.classify_travellers(table, **SHORT_WINDOW, **REFERENCE)
    assert out["status"].tolist() == ["undetermined"]
    assert out["move_date"].tolist() == [pd.Timestamp("2023-12-01")]
    assert out["duration_days"].tolist() == [31] and out["censored"].tolist() == [True]
    moves = d.classify_movements(table, **SHORT_WINDOW)
    assert moves["movement"].tolist() == ["undetermined"]


def test_merge_short_trips_keeps_a_short_censored_spell():
    # Absence from the window start (1 Jan 2022) to 1 Dec 2023, then a stay of 30 days that is
    # cut by the window end (31 days, up to 1 January 2024): two spells stay two spells.
    merged = d.merge_short_trips(d.spells(crossings(("N", "2023-12-01", "entry")), **SHORT_WINDOW))
    assert merged["spell"].tolist() == ["absence", "stay"]
    assert merged["days"].tolist() == [699, 31]  # 365 (2022) + 334 (Jan-Nov 2023); 31 days
    assert merged["crossings"].tolist() == [0, 0]
    assert merged["right_censored"].tolist() == [False, True]


def test_a_short_absence_that_is_not_censored_is_still_joined():
    # The same arrival, but the traveller leaves on 20 December (19 days, not censored): a visit.
    table = crossings(("V", "2023-12-01", "entry"), ("V", "2023-12-20", "exit"))
    merged = d.merge_short_trips(d.spells(table, **SHORT_WINDOW))
    assert merged["spell"].tolist() == ["absence"] and merged["crossings"].tolist() == [2]
    assert d.classify_travellers(table, **SHORT_WINDOW, **REFERENCE)["status"].tolist() == ["visitor"]


def test_thresholds_at_their_smallest_values_are_accepted():
    day = pd.Timestamp("2023-05-01")
    # A threshold of 0 is reached by any spell, even one of 0 days; a negative one is an error.
    assert bool(d.lasts_at_least(day, day, 0)) and bool(d.lasts_at_least(day, day, 0, unit="days"))
    with pytest.raises(ValueError, match=r"threshold=-1 is not valid; give a number >= 0"):
        d.lasts_at_least(day, day, -1)
    # long_term may be 1 month and short_term 0 (then no stay is a short trip); both may be equal.
    table = crossings(("P", "2023-03-01", "entry"), ("P", "2023-03-20", "exit"))
    assert d.classify_movements(table, **SHORT_WINDOW, long_term=1, short_term=0)[
        "movement"].tolist() == ["short-term immigration", "non-resident departure"]
    assert d.classify_movements(table, **SHORT_WINDOW, long_term=3, short_term=3)[
        "movement"].tolist() == ["short visit", "short visit"]
    with pytest.raises(ValueError, match=r"long_term=0 is not valid; give a number >= 1"):
        d.classify_movements(table, **SHORT_WINDOW, long_term=0)
    with pytest.raises(ValueError, match=r"short_term=True is not valid"):
        d.classify_movements(table, **SHORT_WINDOW, short_term=True)


def test_the_reference_period_may_be_the_whole_window():
    table = crossings(("N", "2023-12-01", "entry"))
    out = d.classify_travellers(table, **SHORT_WINDOW, reference_start="2022-01-01",
                                reference_end="2023-12-31")
    assert out["status"].tolist() == ["undetermined"]
    with pytest.raises(ValueError, match="must be a date before"):
        d.spells(table, window_start="2023-12-31", window_end="2023-12-31")


def test_the_defaults_are_the_un_thresholds():
    # 31 January to 30 April is exactly 3 calendar months: short-term, not a visit (3-month rule).
    three = crossings(("H", "2023-01-31", "entry"), ("H", "2023-04-30", "exit"))
    assert d.classify_movements(three, **SHORT_WINDOW)["movement"].tolist() == [
        "short-term immigration", "non-resident departure"]
    assert d.merge_short_trips(d.spells(three, **SHORT_WINDOW))["spell"].tolist() == [
        "absence", "stay", "absence"]
    # 15 March 2022 to 15 March 2023 is exactly 12 months: long-term (12-month rule). The absence
    # after it is cut by the window end after 9.5 months: undetermined.
    twelve = crossings(("G", "2022-03-15", "entry"), ("G", "2023-03-15", "exit"))
    assert d.classify_movements(twelve, **SHORT_WINDOW)["movement"].tolist() == [
        "long-term immigration", "undetermined"]


def test_spells_have_the_documented_columns():
    table = d.spells(crossings(("A", "2023-03-15", "entry")), **SHORT_WINDOW)
    assert list(table.columns) == ["traveller_id", "spell", "start", "end", "days",
                                   "left_censored", "right_censored"]
    assert str(table["start"].dtype).startswith("datetime64")


def test_a_wrong_reference_period_is_named_as_such():
    with pytest.raises(ValueError, match="reference_start='2023-12-31' must be a date before "
                                         "reference_end='2023-01-01'"):
        d.classify_travellers(crossings(("A", "2023-03-15", "entry")), **SHORT_WINDOW,
                              reference_start="2023-12-31", reference_end="2023-01-01")


def test_groups_keep_the_index_of_the_census():
    census = pd.DataFrame({"country_of_birth": ["XLM", "XKS"], "citizenship": ["XKS", "XKS"],
                           "second_citizenship": [None, "XLM"]}, index=[101, 205])
    groups = d.birth_citizenship_group(census, "XLM")
    assert groups.to_dict() == {101: "native-born foreigner", 205: "foreign-born citizen"}
