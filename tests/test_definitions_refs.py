"""migstats.definitions: censoring and short-trip merging, worked by hand (issue 21).

The rules (UN 1998 Recommendations, as the module docstring states them): a stay or absence
shorter than 3 months joins the spell before it, but a censored spell is never joined, because
its true length is unknown; a right-censored spell that has not reached 12 months makes the
move "undetermined".
"""

import pandas as pd

from migstats import definitions as d

SHORT_WINDOW = dict(window_start="2022-01-01", window_end="2023-12-31")
REFERENCE = dict(reference_start="2023-01-01", reference_end="2023-12-31")


def crossings(*events):
    return pd.DataFrame(events, columns=["traveller_id", "date", "direction"]).assign(
        date=lambda t: pd.to_datetime(t["date"]))


def test_a_short_censored_stay_is_undetermined_not_a_visit():
    # Arrives on 1 December 2023; the window ends on 31 December 2023: 30 days observed, fewer
    # than 3 months, but the stay goes on after the window and may still pass 12 months. It is
    # not joined to the absence before it (that would make the arrival a "short visit" and the
    # traveller a "visitor").
    table = crossings(("N", "2023-12-01", "entry"))
    out = d.classify_travellers(table, **SHORT_WINDOW, **REFERENCE)
    assert out["status"].tolist() == ["undetermined"]
    assert out["move_date"].tolist() == [pd.Timestamp("2023-12-01")]
    assert out["duration_days"].tolist() == [30] and out["censored"].tolist() == [True]
    moves = d.classify_movements(table, **SHORT_WINDOW)
    assert moves["movement"].tolist() == ["undetermined"]


def test_merge_short_trips_keeps_a_short_censored_spell():
    # Absence from the window start (1 Jan 2022) to 1 Dec 2023, then a stay of 30 days that is
    # cut by the window end: two spells stay two spells, nothing is inside either.
    merged = d.merge_short_trips(d.spells(crossings(("N", "2023-12-01", "entry")), **SHORT_WINDOW))
    assert merged["spell"].tolist() == ["absence", "stay"]
    assert merged["days"].tolist() == [699, 30]  # 365 (2022) + 334 (Jan-Nov 2023); 30 days
    assert merged["crossings"].tolist() == [0, 0]
    assert merged["right_censored"].tolist() == [False, True]


def test_a_short_absence_that_is_not_censored_is_still_joined():
    # The same arrival, but the traveller leaves on 20 December (19 days, not censored): a visit.
    table = crossings(("V", "2023-12-01", "entry"), ("V", "2023-12-20", "exit"))
    merged = d.merge_short_trips(d.spells(table, **SHORT_WINDOW))
    assert merged["spell"].tolist() == ["absence"] and merged["crossings"].tolist() == [2]
    assert d.classify_travellers(table, **SHORT_WINDOW, **REFERENCE)["status"].tolist() == ["visitor"]
