"""Generate ``trafficking_cases_raw`` and the published ``trafficking_cases``.

The raw file is what a counter-trafficking agency might hold: case records with
FAKE names, phone numbers and dates of birth, and variables in the spirit of
the CTDC global dataset (CTDC 2021). Names are made of invented
syllables; phone numbers use the unassigned country code +999.

The published file removes the direct identifiers, merges the age bands into
four broad bands (global recoding), then applies local
suppression until every combination of the quasi-identifiers occurs at least
K times (k-anonymity; an empty value counts as a value of its own):
first citizenship, then age band, then country of exploitation are blanked in
the records of too-small groups, and records still in a too-small group are
removed. Records that were already safe are never changed.
"""

import numpy as np
import pandas as pd

from .world import STATELESS

K = 5
QUASI_IDENTIFIERS = ["gender", "age_band", "citizenship", "country_of_exploitation", "year_of_registration"]
AGE_BANDS = ["0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"]
AGE_EDGES = [0, 9, 18, 21, 24, 27, 30, 39, 48, 200]
BROAD_AGE_BANDS = {"0-8": "0-17", "9-17": "0-17", "18-20": "18-29", "21-23": "18-29", "24-26": "18-29",
                   "27-29": "18-29", "30-38": "30-47", "39-47": "30-47", "48+": "48+"}
CONTROLS = ["debt_bondage", "threats", "documents_taken", "restricted_movement", "physical_violence",
            "psychological_abuse"]
EXPLOITATION = ["sexual exploitation", "forced labour", "forced marriage", "forced criminal activity", "other"]
# victim profile: share of cases, citizenship, gender shares (f, m, t), age range,
# countries of exploitation, and shares of the types of exploitation
PROFILES = [
    (.30, "XLM", (.75, .23, .02), (12, 40), {"XLM": .7, "XVD": .2, "XBT": .1}, (.55, .25, .05, .1, .05)),
    (.20, "XKS", (.05, .95, 0), (18, 50), {"XBT": .6, "XLM": .4}, (0, .97, 0, .03, 0)),
    (.18, "XPL", (.95, .05, 0), (16, 50), {"XLM": .5, "XBT": .3, "XVD": .2}, (.35, .6, 0, 0, .05)),
    (.12, "XTM", (.7, .3, 0), (10, 35), {"XLM": .5, "XSV": .3, "XNB": .2}, (.25, .25, .4, .05, .05)),
    (.06, "XNB", (.6, .4, 0), (15, 45), {"XLM": .8, "XNB": .2}, (.4, .4, 0, .15, .05)),
    (.05, "XSV", (.6, .4, 0), (15, 45), {"XLM": .5, "XVD": .5}, (.45, .4, 0, .1, .05)),
    (.04, "XQV", (.8, .2, 0), (16, 35), {"XVD": .7, "XLM": .3}, (.7, .25, 0, 0, .05)),
    (.03, "XMR", (.5, .5, 0), (18, 30), {"XLM": 1.0}, (.3, .6, 0, .1, 0)),
    (.02, STATELESS, (.6, .4, 0), (10, 40), {"XLM": .6, "XSV": .4}, (.3, .4, .2, .1, 0)),
]
SYLLABLES = ["ka", "lo", "mi", "ren", "ta", "vo", "zu", "shi", "dar", "el", "no", "pra", "qui", "sa", "tem", "ul", "vex", "yor"]


def generate(rng, n_cases=5000):
    """The raw case file and the published, k-anonymous file."""
    share = np.array([p[0] for p in PROFILES])
    which = rng.choice(len(PROFILES), size=n_cases, p=share / share.sum())
    rows = []
    for i, p in enumerate(which, start=1):
        _, citizenship, genders, (lo, hi), places, types = PROFILES[p]
        gender = rng.choice(["female", "male", "transgender"], p=genders)
        year = int(rng.choice(np.arange(2015, 2025), p=np.linspace(.06, .14, 10)))
        age = int(rng.integers(lo, hi + 1))
        born = np.datetime64(f"{year}-07-01") - np.timedelta64(int(age * 365.25 + rng.integers(-180, 180)), "D")
        kind = EXPLOITATION[rng.choice(5, p=types)]
        if gender == "male" and kind == "forced marriage":
            kind = "forced labour"
        controls = rng.random(len(CONTROLS)) < _control_rates(kind)
        rows.append((f"CASE-{i:05d}", _name(rng), _phone(rng), born, gender, age, citizenship,
                     str(rng.choice(list(places), p=list(places.values()))), year, kind, *controls))
    raw = pd.DataFrame(rows, columns=["case_id", "full_name", "phone", "date_of_birth", "gender", "age",
                                      "citizenship", "country_of_exploitation", "year_of_registration",
                                      "type_of_exploitation"] + ["control_" + c for c in CONTROLS])
    raw.insert(5, "age_band", pd.cut(raw.pop("age"), AGE_EDGES, right=False, labels=AGE_BANDS).astype("str"))
    # Real case files have gaps: unknown phone, birth date, age or citizenship.
    n = len(raw)
    raw.loc[rng.random(n) < .15, "phone"] = None
    no_birth = rng.random(n) < .1
    raw.loc[no_birth, "date_of_birth"] = pd.NaT
    raw.loc[no_birth & (rng.random(n) < .5), "age_band"] = None
    raw.loc[rng.random(n) < .04, "citizenship"] = None
    raw.loc[rng.random(n) < .03, "country_of_exploitation"] = None
    raw["date_of_birth"] = raw["date_of_birth"].astype("datetime64[s]")
    return raw, publish(raw, rng)


def _control_rates(kind):
    base = np.array([.25, .5, .3, .45, .3, .5])
    if kind == "forced labour":
        base = base + np.array([.4, 0, .35, 0, 0, 0])
    if kind == "sexual exploitation":
        base = base + np.array([.1, .2, 0, .3, .3, .2])
    return np.minimum(base, .95)


def _name(rng):
    def word(n):
        return "".join(rng.choice(SYLLABLES, n)).capitalize()
    return f"{word(rng.integers(2, 4))} {word(rng.integers(2, 4))}"


def _phone(rng):
    return f"+999 {rng.integers(100, 1000)} {rng.integers(0, 10000):04d}"


def group_sizes(df, columns):
    """Size of each record's group of equal quasi-identifier values (missing counts as a value)."""
    return df.groupby(columns, dropna=False, observed=True)[columns[0]].transform("size")


def publish(raw, rng):
    """Drop direct identifiers, merge age bands, suppress values and records until k >= K."""
    df = raw.drop(columns=["case_id", "full_name", "phone", "date_of_birth"])
    df["age_band"] = df["age_band"].map(BROAD_AGE_BANDS)
    for col in ("citizenship", "age_band", "country_of_exploitation"):
        small = group_sizes(df, QUASI_IDENTIFIERS) < K
        df.loc[small, col] = None
    df = df[group_sizes(df, QUASI_IDENTIFIERS) >= K]
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)  # the order must not reveal the raw file
    df.insert(0, "record_id", np.arange(1, len(df) + 1))
    return df
