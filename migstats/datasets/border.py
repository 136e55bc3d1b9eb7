"""Generate ``border_crossings`` and its ground truth ``border_truth``.

Each traveller gets a true status first, then a story of stays and trips that
fits it, and the story is written out as entry and exit events between 1
January 2022 and 31 December 2024. Events outside the window are not written,
so a long stay that goes on after 2024 shows no exit, and a trip that began in
2021 shows only its end: the data are censored, as real border data are. The move
that defines a migrant's status always starts in 2023, so that at least 12 months
of follow-up are in the window.

Then the crossings are written as a border system records them, with the defects
of real records: each crossing shows a travel document, not a person; some
travellers renew their passport (a new document number); dual citizens cross on
either passport; some exits, mostly at land borders, are never recorded; and a
few dates are keyed wrongly. The true person (``traveller_id``) and the true
``date`` stay in the file as the answer key that only synthetic data can give.
"""

import numpy as np
import pandas as pd

from .world import CITIZENSHIP_CODES, PORTS, STATELESS

START = np.datetime64("2022-01-01")
DAYS = 3 * 365 + 1  # 2022-2024, 2024 is a leap year
YEAR_2023 = (365, 730)  # day numbers of 2023 in the window
EDGE = 90  # trips of visitors and resident travellers may start before or end after the window
STATUS_SHARES = {"visitor": .45, "resident traveller": .25, "short-term immigrant": .07,
                 "long-term immigrant": .08, "short-term emigrant": .06, "long-term emigrant": .09}
FOREIGN = [c for c in CITIZENSHIP_CODES if c not in ("XLM", STATELESS)]
VISITOR_CITIZENSHIP = dict(XNB=.35, XSV=.12, XZN=.08, XVD=.08, XOR=.06, XDR=.08, XKS=.05, XPL=.05,
                           XMR=.04, XTM=.02, XBT=.04, XQV=.03)
IMMIGRANT_CITIZENSHIP = dict(XLM=.15, XNB=.12, XSV=.05, XKS=.16, XPL=.14, XMR=.1, XTM=.12, XZN=.04,
                             XDR=.04, XVD=.02, XOR=.02, XBT=.01, XQV=.01, XXA=.02)
# Main port by citizenship (the rest use the airport).
LAND_PORT = {"XNB": "North Bridge", "XSV": "East Road", "XTM": "East Road"}
# Defects of the records: share of travellers with two citizenships and of those who renew a
# passport in the window; share of exits never recorded, by port; share of dates keyed wrongly.
DUAL_SHARE, RENEWAL_SHARE, SWITCH = .05, .12, .4
UNRECORDED_EXIT = {"North Bridge": .12, "East Road": .12, "Coast Seaport": .03, "Capital Airport": .01}
KEYING_ERROR = .004
SECOND_PASSPORT = ["XVD", "XOR", "XDR", "XNB"]  # second citizenship of dual citizens of Lamaria


def generate(rng, n_travellers=10000):
    statuses = rng.choice(list(STATUS_SHARES), size=n_travellers, p=list(STATUS_SHARES.values()))
    ids = _pseudonyms(rng, n_travellers)
    events, truth = [], []
    for tid, status in zip(ids, statuses):
        citizenship, sex, born = _person(rng, status)
        stays, move_date, duration = _story(rng, status, citizenship)
        truth.append((tid, status, move_date, duration))
        for day, direction in stays:
            if 0 <= day < DAYS:
                port = LAND_PORT.get(citizenship, "Capital Airport") if rng.random() < .7 else rng.choice(PORTS)
                events.append((day, tid, direction, port, citizenship, sex, born))
    ev = pd.DataFrame(events, columns=["day", "traveller_id", "direction", "port", "citizenship", "sex", "year_of_birth"])
    ev = ev.sort_values(["day", "traveller_id"], kind="stable").reset_index(drop=True)
    ev.insert(0, "crossing_id", np.arange(1, len(ev) + 1))
    ev.insert(2, "date", START + ev.pop("day").to_numpy().astype("timedelta64[D]"))
    ev = _as_recorded(np.random.default_rng(rng.integers(2**32)), ev)
    tr = pd.DataFrame(truth, columns=["traveller_id", "true_status", "move_day", "true_duration_days"])
    tr["move_date"] = START + tr["move_day"].astype("float").to_numpy().astype("timedelta64[D]")
    tr["true_duration_days"] = tr["true_duration_days"].astype("Int64")
    tr = tr.loc[tr["traveller_id"].isin(ev["traveller_id"]), ["traveller_id", "true_status", "move_date", "true_duration_days"]]
    return ev, tr.sort_values("traveller_id", kind="stable").reset_index(drop=True)


def _pseudonyms(rng, n):
    """Distinct random ids like T3FA90C12; they carry no information about the person."""
    codes = pd.unique(rng.integers(0, 16**8, 2 * n))[:n]
    return [f"T{c:08X}" for c in codes]


def _person(rng, status):
    resident = status in ("resident traveller", "short-term emigrant", "long-term emigrant")
    if resident:
        citizenship = "XLM" if rng.random() < .85 else rng.choice(FOREIGN)
    elif status == "visitor":
        citizenship = rng.choice(list(VISITOR_CITIZENSHIP), p=list(VISITOR_CITIZENSHIP.values()))
    else:
        citizenship = rng.choice(list(IMMIGRANT_CITIZENSHIP), p=list(IMMIGRANT_CITIZENSHIP.values()))
    male = .65 if citizenship == "XKS" else .3 if citizenship == "XPL" else .52
    sex = "male" if rng.random() < male else "female"
    age = rng.integers(18, 45) if status in ("short-term immigrant", "long-term immigrant") else rng.integers(0, 85)
    return str(citizenship), sex, int(2023 - age)


def _trips(rng, start, end, n, min_days, max_days, out_first):
    """Up to n short trips between days start and end: (day, direction) pairs."""
    events = []
    for day in np.sort(rng.integers(start, max(start + 1, end), n)):
        length = int(rng.integers(min_days, max_days + 1))
        if events and day <= events[-1][0] or day + length >= end:
            continue
        events += [(int(day), "exit" if out_first else "entry"), (int(day + length), "entry" if out_first else "exit")]
    return events


def _story(rng, status, citizenship):
    """Crossings of one traveller, with the date and true length of the defining move."""
    if status == "visitor":
        n = rng.integers(1, 13) if citizenship == "XNB" else rng.integers(1, 4)
        return _trips(rng, -EDGE, DAYS + EDGE, n, 1, 89, out_first=False), None, None
    if status == "resident traveller":
        return _trips(rng, -EDGE, DAYS + EDGE, rng.integers(1, 7), 2, 60, out_first=True), None, None
    move = int(rng.integers(*YEAR_2023))
    long_term = status.startswith("long-term")
    duration = int(rng.integers(365, 2500) if long_term else rng.integers(90, 365))
    if status.endswith("immigrant"):  # a few short visits before, short trips abroad during a long stay
        before = _trips(rng, 0, move - 30, rng.integers(0, 3), 3, 30, out_first=False)
        during = _trips(rng, move + 30, move + duration - 30, rng.integers(0, 4), 5, 30, out_first=True) if long_term else []
        return before + [(move, "entry")] + during + [(move + duration, "exit")], move, duration
    before = _trips(rng, 0, move - 30, rng.integers(0, 4), 2, 30, out_first=True)
    during = _trips(rng, move + 30, move + duration - 30, rng.integers(0, 3), 5, 30, out_first=False) if long_term else []
    return before + [(move, "exit")] + during + [(move + duration, "entry")], move, duration


def _as_recorded(rng, ev):
    """Add the columns of the border record (document, birth date, name key) and its defects.

    An unrecorded crossing keeps its true ``date`` but has no ``recorded_date``.
    """
    people = ev.drop_duplicates("traveller_id").sort_values("traveller_id").set_index("traveller_id")
    n = len(people)
    codes = _pseudonyms(rng, 3 * n)  # first passport, renewed passport, second passport
    doc = pd.DataFrame({"first": ["D" + c[1:] for c in codes[:n]], "renewed": ["D" + c[1:] for c in codes[n:2 * n]],
                        "second": ["D" + c[1:] for c in codes[2 * n:]]}, index=people.index)
    birth = pd.to_datetime(people["year_of_birth"].astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 365, n), unit="D")
    name = pd.Series([f"N{c:04X}" for c in rng.integers(0, 16**4, n)], index=people.index)
    citizenship = people["citizenship"]
    dual = (rng.random(n) < DUAL_SHARE) & (citizenship != STATELESS).to_numpy()
    other = np.where(citizenship == "XLM", rng.choice(SECOND_PASSPORT, n), "XLM")
    second_country = pd.Series(np.where(dual, other, None), index=people.index)
    renewal = pd.Series(np.where(rng.random(n) < RENEWAL_SHARE, START + rng.integers(0, DAYS, n).astype("timedelta64[D]"),
                                 np.datetime64("NaT")), index=people.index)

    ev = ev.sort_values(["traveller_id", "date", "crossing_id"], kind="stable")
    tid = ev["traveller_id"]
    # A dual citizen may change passport at any crossing: enter on one, leave on the other.
    switch = pd.Series(rng.random(len(ev)) < SWITCH, index=ev.index) & tid.map(second_country).notna()
    on_second = (switch.astype(int).groupby(tid).cumsum() % 2).astype(bool)
    renewed = ev["date"] >= tid.map(renewal)
    ev["document_id"] = np.where(on_second, tid.map(doc["second"]),
                                 np.where(renewed, tid.map(doc["renewed"]), tid.map(doc["first"])))
    ev["document_country"] = np.where(on_second, tid.map(second_country), ev["citizenship"])
    ev["name_key"] = tid.map(name)
    ev["date_of_birth"] = tid.map(birth)
    recorded = ~((ev["direction"] == "exit") & (rng.random(len(ev)) < ev["port"].map(UNRECORDED_EXIT)))
    ev["recorded_date"] = ev["date"].where(recorded)
    wrong = recorded & (rng.random(len(ev)) < KEYING_ERROR)
    ev.loc[wrong, "recorded_date"] = ev.loc[wrong, "date"].map(_miskeyed)
    return ev.drop(columns="year_of_birth").sort_values("crossing_id").reset_index(drop=True)


def _miskeyed(day):
    """A date keyed wrongly: day and month swapped where possible, else the year one off (inside the window)."""
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    year = day.year - 1 if day.year > 2022 else day.year + 1
    return day.replace(year=year) if not (day.month == 2 and day.day == 29) else day.replace(year=year, day=28)
