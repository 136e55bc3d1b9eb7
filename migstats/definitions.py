"""Who counts as an international migrant: duration-of-stay rules and census stocks.

The duration rules follow the UN Recommendations on Statistics of International
Migration, Revision 1 (1998): a person who moves to another country for at least
12 months is a long-term migrant; for at least 3 but less than 12 months, a
short-term migrant. The 2021 UN conceptual framework keeps the 12-month rule for
international migration and calls the shorter moves temporary mobility. The
census helpers count the groups of the 2021 framework (foreign-born and
foreign citizens).

The course implements the border-data rules itself, for teaching; the tests check
them on cases worked by hand and against the ground truth of the synthetic data.

How durations are counted
-------------------------
* A **spell** is the time between two crossings of one traveller: a *stay* in the
  country (from an entry to the next exit) or an *absence* (from an exit to the
  next entry).
* **The day convention** (one rule for every duration in the course). A spell
  runs from its first day up to, but not including, its end day; its length in
  days is end minus start. The end of a spell that a crossing closes is the date
  of that crossing, so each crossing day counts once, for the spell it starts.
  The observation window includes its last day, so a spell still going at the
  window's end ends on the day after ``window_end``. A permit valid from
  ``start_date`` to ``end_date`` (both included) ends, in the same way, on the
  day after ``end_date``.
* With ``unit="months"`` (the default) a threshold counts calendar months: a spell
  from 15 March 2023 lasts at least 12 months if it ends on or after 15 March 2024
  (from 31 January, one month later is the last day of February). With
  ``unit="days"`` it counts days: 12 months can be given as 365 days.
* **Short trips do not count.** A stay or an absence shorter than the short-term
  threshold (3 months) is not migration: it joins the spell before it. A holiday
  abroad does not end a stay; a visit home does not end an absence.
* **Censoring.** The data cover an observation window. The spell before a
  traveller's first crossing starts before the window (left-censored) and the
  spell after the last crossing ends after it (right-censored); both are measured
  only inside the window (a right-censored spell ends on the day after
  ``window_end``). A censored spell whose observed part already reaches a
  threshold is at least that long, so it counts. A right-censored spell that has
  not yet reached the threshold could still do so: the move is ``"undetermined"``.
* **Usual residence** changes only through a spell that reaches the long-term
  threshold: such a stay makes the traveller a resident from its first day, such an
  absence a non-resident. Before the first such spell, the traveller is a resident
  if he or she spent more than half of the observed days before it in the country
  (the "most of the time" criterion of the census recommendations, UN 2017).
"""

import numbers

import pandas as pd

ENTRY, EXIT = "entry", "exit"
STAY, ABSENCE = "stay", "absence"

# What one crossing is, once the rules have been applied (column "movement").
MOVEMENTS = (
    "long-term immigration", "short-term immigration", "resident return",
    "long-term emigration", "short-term emigration", "non-resident departure",
    "short trip", "short visit", "undetermined",
)
# What one traveller is, from the moves in the reference period (column "status"), in the order
# in which they are decided: a traveller with moves of two kinds gets the first that applies.
STATUSES = (
    "long-term immigrant", "long-term emigrant", "short-term immigrant", "short-term emigrant",
    "undetermined", "resident traveller", "visitor",
)
_STATUS_OF_MOVE = {"long-term immigration": "long-term immigrant", "long-term emigration": "long-term emigrant",
                   "short-term immigration": "short-term immigrant", "short-term emigration": "short-term emigrant",
                   "undetermined": "undetermined"}

# The four groups of the 2021 framework, by country of birth and citizenship.
GROUPS = ("native-born citizen", "foreign-born citizen", "native-born foreigner", "foreign-born foreigner")


# --- border data: spells ------------------------------------------------------------------------

def spells(crossings, window_start, window_end):
    """Split each traveller's crossings into stays and absences.

    ``crossings`` needs the columns ``traveller_id``, ``date`` and ``direction``
    ("entry" or "exit"); each traveller's crossings must alternate between entry
    and exit once sorted by date. Returns one row per spell, in time order:
    ``traveller_id``, ``spell`` ("stay" or "absence"), ``start``, ``end``, ``days``
    (end minus start), ``left_censored`` (the spell began before
    ``window_start``, so ``start`` is the window start) and ``right_censored``
    (still going at ``window_end``, so ``end`` is the day after ``window_end``:
    the window includes its last day).
    """
    start, end = _window(window_start, window_end)
    return _spells(_checked_crossings(crossings, start, end), start, end)


def merge_short_trips(spells_table, short_term=3, unit="months"):
    """Join every stay or absence shorter than ``short_term`` to the spell before it.

    A move shorter than the short-term threshold (3 months in the UN rules) is
    not migration: a short absence inside a stay is a trip abroad, a short stay
    inside an absence is a visit, and neither changes where a person lives.
    Censored spells are never joined (their true length is unknown). Returns the
    table of :func:`spells` with fewer rows and a column ``crossings``: how many
    crossings lie inside each merged spell (not counting the one that starts it).
    """
    _check_columns(spells_table, ["traveller_id", "spell", "start", "end", "left_censored", "right_censored"],
                   "spells_table")
    table = spells_table.reset_index(drop=True)
    table["merged"] = _merged_ids(table, short_term, unit)
    out = table.groupby("merged", sort=False).agg(
        traveller_id=("traveller_id", "first"), spell=("spell", "first"), start=("start", "first"),
        end=("end", "last"), left_censored=("left_censored", "first"), right_censored=("right_censored", "last"),
        crossings=("spell", "size")).reset_index(drop=True)
    out["crossings"] -= 1
    out.insert(4, "days", (out["end"] - out["start"]).dt.days)
    return out


def lasts_at_least(start, end, threshold, unit="months"):
    """True where the spell from ``start`` to ``end`` lasts at least ``threshold``.

    ``unit="months"`` counts calendar months (end on or after start plus
    ``threshold`` months); ``unit="days"`` counts days (end minus start). Works on
    single dates or on Series of dates.
    """
    _check_number("threshold", threshold, minimum=0)
    if unit == "months":
        if threshold != int(threshold):
            raise ValueError(f"threshold={threshold!r} months is not a whole number; give whole months, "
                             "or use unit='days' for a threshold in days")
        return end >= start + pd.DateOffset(months=int(threshold))
    if unit == "days":
        return (end - start) >= pd.Timedelta(days=threshold)
    raise ValueError(f"unit={unit!r} is not known; use 'months' (calendar months) or 'days'")


# --- border data: movements and travellers --------------------------------------------------------

def classify_movements(crossings, window_start, window_end, long_term=12, short_term=3, unit="months"):
    """Classify every crossing by the duration rules of the UN 1998 Recommendations.

    First, stays and absences shorter than ``short_term`` are merged into the
    spell before them (see :func:`merge_short_trips`); the crossings inside are a
    "short trip" (out and back during a stay) or a "short visit" (in and out
    during an absence). Each crossing that starts a merged stay or absence is then
    classified by the traveller's usual residence just before it and the length
    of that spell:

    * entry of a non-resident: "long-term immigration" (a stay of at least
      ``long_term``) or "short-term immigration" (at least ``short_term``);
    * exit of a resident: "long-term emigration" or "short-term emigration";
    * entry of a resident: "resident return" (back from a short-term absence);
    * exit of a non-resident: "non-resident departure" (end of a short-term stay).

    A stay or absence still going at the window end that has not reached
    ``long_term`` makes the move "undetermined". Returns the crossings, sorted by
    traveller and date, with the columns ``resident_before`` (bool),
    ``spell_days`` (length of the merged spell the crossing starts; empty inside a
    spell), ``censored`` and ``movement``.
    """
    return _classify(crossings, window_start, window_end, long_term, short_term, unit)[0]


def classify_travellers(crossings, window_start, window_end, reference_start, reference_end, long_term=12,
                        short_term=3, unit="months"):
    """The status of each traveller in a reference period, from his or her moves.

    Uses :func:`classify_movements` and looks at the crossings dated in the
    reference period (both ends included). The status is the first that applies,
    in the order of ``STATUSES``: a long-term immigration makes a "long-term
    immigrant", then come long-term emigration, short-term immigration,
    short-term emigration and an undetermined move; otherwise the traveller is a
    "resident traveller" if a usual resident on ``reference_start``, else a
    "visitor".

    Returns one row per traveller: ``traveller_id``, ``status``, ``move_date``
    (date of the crossing that defines a migrant's status), ``duration_days``
    (length of that stay or absence, observed inside the window) and
    ``censored`` (that stay or absence was still going at the window end).
    """
    ref_start, ref_end = _window(reference_start, reference_end, names=("reference_start", "reference_end"))
    start, end = _window(window_start, window_end)
    if ref_start < start or ref_end > end:
        raise ValueError(f"the reference period {ref_start.date()} to {ref_end.date()} must lie inside the "
                         f"observation window {start.date()} to {end.date()}")
    moves, merged = _classify(crossings, start, end, long_term, short_term, unit)
    moves["status"] = moves["movement"].map(_STATUS_OF_MOVE)
    moves["rank"] = moves["status"].map({s: i for i, s in enumerate(STATUSES)})
    in_ref = moves[moves["date"].between(ref_start, ref_end) & moves["status"].notna()]
    defining = in_ref.sort_values(["rank", "date"], kind="stable").drop_duplicates("traveller_id")
    resident = _resident_on(merged, ref_start)
    out = pd.DataFrame({"traveller_id": resident.index,
                        "status": resident.map({True: "resident traveller", False: "visitor"}).to_numpy()})
    found = defining.set_index("traveller_id")[["status", "date", "spell_days", "censored"]]
    out = out.join(found.rename(columns={"status": "status_move"}), on="traveller_id")
    has_move = out["status_move"].notna()
    out.loc[has_move, "status"] = out.loc[has_move, "status_move"]
    out = out.rename(columns={"date": "move_date", "spell_days": "duration_days"})
    out["censored"] = out["censored"].astype("boolean")
    return out[["traveller_id", "status", "move_date", "duration_days", "censored"]]


# --- census: foreign-born and foreign citizens -----------------------------------------------------

def birth_citizenship_group(census, country):
    """The 2021-framework group of each person: born in ``country`` or abroad, citizen or not.

    A citizen holds the citizenship of ``country`` (as the first or the second
    citizenship). A stateless person is not a citizen. Returns a Series of the
    labels in ``GROUPS``.
    """
    born_abroad, citizen = _birth_and_citizenship(census, country)
    labels = pd.Series(GROUPS, dtype="object")
    return pd.Series(labels.to_numpy()[2 * ~citizen.to_numpy() + born_abroad.to_numpy()], index=census.index,
                     name="group")


def migrant_stocks(census, country, weight="weight"):
    """Weighted number of persons by country of birth (rows) and citizenship (columns).

    Rows: "native-born", "foreign-born"; columns: "citizen", "foreigner" (which
    includes stateless persons); plus "total" margins. Each record counts for its
    sampling weight (column ``weight``), so the table estimates the population,
    not the sample. The foreign-born stock is the "foreign-born" row total; the
    foreign-citizen stock is the "foreigner" column total.
    """
    _check_columns(census, [weight], "census")
    w = census[weight]
    if w.isna().any() or (w < 0).any():
        raise ValueError(f"column {weight!r} has missing or negative weights; every person needs a weight >= 0")
    born_abroad, citizen = _birth_and_citizenship(census, country)
    table = pd.DataFrame(0.0, index=["native-born", "foreign-born"], columns=["citizen", "foreigner"])
    for row, abroad in (("native-born", False), ("foreign-born", True)):
        for col, cit in (("citizen", True), ("foreigner", False)):
            table.loc[row, col] = float(w[(born_abroad == abroad) & (citizen == cit)].sum())
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    table.index.name, table.columns.name = "birth", "citizenship"
    return table


def _birth_and_citizenship(census, country):
    _check_columns(census, ["country_of_birth", "citizenship"], "census")
    if not (census["country_of_birth"] == country).any():
        raise ValueError(f"country={country!r} is nobody's country of birth in the census; give the code of the "
                         "country that took the census, such as 'XLM'")
    born_abroad = (census["country_of_birth"] != country).to_numpy()
    citizen = (census["citizenship"] == country).to_numpy()
    if "second_citizenship" in census:
        citizen = citizen | (census["second_citizenship"] == country).fillna(False).to_numpy(dtype=bool)
    return pd.Series(born_abroad, index=census.index), pd.Series(citizen, index=census.index)


# --- helpers -------------------------------------------------------------------------------------

def _spells(ordered, start, end):
    """Spells of crossings already checked and sorted by traveller and date."""
    tid = ordered["traveller_id"]
    first = tid != tid.shift()
    last = tid != tid.shift(-1)
    heads = ordered[first]
    before = pd.DataFrame({"traveller_id": heads["traveller_id"].to_numpy(),
                           "spell": heads["direction"].astype("object").map({EXIT: STAY, ENTRY: ABSENCE}).to_numpy(),
                           "start": start, "end": heads["date"].to_numpy(),
                           "left_censored": True, "right_censored": False, "order": heads.index.to_numpy() - 0.5})
    after = pd.DataFrame({"traveller_id": tid.to_numpy(),
                          "spell": ordered["direction"].astype("object").map({ENTRY: STAY, EXIT: ABSENCE}).to_numpy(),
                          "start": ordered["date"].to_numpy(),
                          "end": ordered["date"].shift(-1).where(~last, end + pd.Timedelta(days=1)).to_numpy(),
                          "left_censored": False, "right_censored": last.to_numpy(),
                          "order": ordered.index.to_numpy().astype(float)})
    out = pd.concat([before, after]).sort_values("order", kind="stable").drop(columns="order")
    out["start"], out["end"] = pd.to_datetime(out["start"]), pd.to_datetime(out["end"])
    out.insert(4, "days", (out["end"] - out["start"]).dt.days)
    return out.reset_index(drop=True)


def _merged_ids(table, short_term, unit):
    """For each spell, the number of the merged spell it belongs to (see merge_short_trips)."""
    short = ~lasts_at_least(table["start"], table["end"], short_term, unit) & ~(
        table["left_censored"] | table["right_censored"])
    first = table["traveller_id"] != table["traveller_id"].shift()
    anchor = first | ~short
    kind = table["spell"].where(anchor).ffill()  # the kind of the spell that each one joins
    return (first | (anchor & (kind != kind.shift()))).cumsum() - 1


def _classify(crossings, window_start, window_end, long_term, short_term, unit):
    """Classified crossings, and the merged spells with the residence status during each."""
    _check_thresholds(long_term, short_term, unit)
    start, end = _window(window_start, window_end)
    ordered = _checked_crossings(crossings, start, end)
    raw = _spells(ordered, start, end)
    merged = merge_short_trips(raw, short_term, unit)
    merged["decisive"] = lasts_at_least(merged["start"], merged["end"], long_term, unit)
    merged["reaches_short"] = lasts_at_least(merged["start"], merged["end"], short_term, unit)
    merged["resident"] = _residence(raw, merged)

    tid = merged["traveller_id"]
    before = merged["resident"].shift().where(tid == tid.shift())  # empty for a traveller's first spell
    is_stay = merged["spell"] == STAY
    kind = is_stay.map({True: "immigration", False: "emigration"})
    label = pd.Series("undetermined", index=merged.index, dtype="object")
    label[merged["reaches_short"] & ~merged["right_censored"]] = "short-term " + kind
    label[merged["decisive"]] = "long-term " + kind
    label[is_stay & before.eq(True)] = "resident return"
    label[~is_stay & before.eq(False)] = "non-resident departure"

    # Each crossing starts one raw spell (all but a traveller's first); that spell lies in a merged one.
    ids = _merged_ids(raw, short_term, unit)
    has_crossing = raw["traveller_id"] == raw["traveller_id"].shift()
    starts = (ids != ids.shift())[has_crossing].to_numpy()  # the crossing starts its merged spell
    ids = ids[has_crossing].to_numpy()
    spell = merged.loc[ids]
    moves = ordered.copy()
    moves["resident_before"] = before.loc[ids].where(starts, spell["resident"]).astype(bool).to_numpy()
    moves["spell_days"] = pd.array(spell["days"].where(starts).to_numpy(), dtype="Int64")
    moves["censored"] = (spell["right_censored"] & starts).to_numpy()
    inside = is_stay.map({True: "short trip", False: "short visit"})
    moves["movement"] = label.loc[ids].where(starts, inside.loc[ids]).to_numpy()
    return moves, merged


def _residence(raw, merged):
    """Whether the traveller is a usual resident during each merged spell.

    A spell that reaches the long-term threshold sets the status (stay: resident,
    absence: not). Before a traveller's first such spell, the traveller is a
    resident if he or she spent more than half of the observed days before it in
    the country.
    """
    tid = merged["traveller_id"]
    decided = merged["spell"].eq(STAY).where(merged["decisive"])
    status = decided.groupby(tid, sort=False).ffill()
    first_decisive = merged["start"].where(merged["decisive"]).groupby(tid, sort=False).min()
    cut = raw["traveller_id"].map(first_decisive).fillna(raw["end"].max() + pd.Timedelta(days=1))
    seen = raw[raw["start"] < cut]
    present = seen["days"].where(seen["spell"] == STAY, 0).groupby(seen["traveller_id"], sort=False).sum()
    total = seen["days"].groupby(seen["traveller_id"], sort=False).sum()
    initial = (2 * present > total).reindex(tid.unique(), fill_value=False)
    return status.fillna(tid.map(initial)).astype(bool)


def _resident_on(merged, day):
    """Whether each traveller is a usual resident on ``day``: the status of the spell that contains it."""
    contains = (merged["start"] <= day) & ((merged["end"] > day) | merged["right_censored"])
    spell = merged[contains].drop_duplicates("traveller_id")
    return pd.Series(spell["resident"].to_numpy(), index=spell["traveller_id"].to_numpy())


def _checked_crossings(crossings, start, end):
    _check_columns(crossings, ["traveller_id", "date", "direction"], "crossings")
    out = crossings.copy()
    out["date"] = pd.to_datetime(out["date"])
    bad = sorted(set(out["direction"].astype("object").dropna()) - {ENTRY, EXIT})
    if bad or out["direction"].isna().any():
        raise ValueError(f"column 'direction' has values {bad or ['missing']}; every crossing must be "
                         f"'{ENTRY}' or '{EXIT}'")
    if out["date"].isna().any():
        raise ValueError("column 'date' has missing dates; drop or fix those crossings first")
    outside = out[(out["date"] < start) | (out["date"] > end)]
    if len(outside):
        raise ValueError(f"{len(outside)} crossings are outside the window {start.date()} to {end.date()} "
                         f"(first: {outside['date'].min().date()}); widen the window or filter the crossings")
    out = out.sort_values(["traveller_id", "date"], kind="stable").reset_index(drop=True)
    direction = out["direction"].astype("object")
    same = (direction == direction.shift()) & (out["traveller_id"] == out["traveller_id"].shift())
    if same.any():
        ids = out.loc[same, "traveller_id"].unique()
        raise ValueError(f"{len(ids)} travellers have two entries or two exits in a row (first: {ids[0]}); "
                         "a crossing is missing. Fix or drop those travellers before classifying.")
    return out


def _check_columns(table, columns, name):
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, not {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} has no column {', '.join(map(repr, missing))}; "
                         f"it has: {', '.join(map(str, table.columns))}")


def _check_number(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < minimum:
        raise ValueError(f"{name}={value!r} is not valid; give a number >= {minimum}")


def _check_thresholds(long_term, short_term, unit):
    _check_number("long_term", long_term, minimum=1)
    _check_number("short_term", short_term, minimum=0)
    if short_term > long_term:
        raise ValueError(f"short_term={short_term!r} is longer than long_term={long_term!r}; the short-term "
                         "threshold (3 months in the UN rules) must not exceed the long-term one (12 months)")
    if unit not in ("months", "days"):
        raise ValueError(f"unit={unit!r} is not known; use 'months' (calendar months) or 'days'")


def _window(first, last, names=("window_start", "window_end")):
    try:
        start, end = pd.Timestamp(first), pd.Timestamp(last)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{names[0]}={first!r} and {names[1]}={last!r} must be dates such as '2022-01-01'") from err
    if pd.isna(start) or pd.isna(end) or start >= end:
        raise ValueError(f"{names[0]}={first!r} must be a date before {names[1]}={last!r}")
    return start, end
