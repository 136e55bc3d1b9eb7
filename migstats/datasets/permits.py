"""Generate ``residence_permits``: permits Lamaria issued to foreign citizens, 2020-2024.

Each holder gets a first permit; while it ends before 2025 it may be renewed
(same holder, ``first_permit`` false). First permits dip in 2020 and
humanitarian permits rise from 2021, when conflict in Tamesh grows.
"""

import numpy as np
import pandas as pd

from .world import STATELESS

START = np.datetime64("2020-01-01")
DAYS = 5 * 365 + 2  # 2020-2024, two leap years
YEAR_WEIGHT = np.array([.12, .2, .22, .23, .23])  # first permits by start year
# permit type: share of first permits, citizenship shares, share male, age range, length in days
TYPES = {
    "work": (.38, dict(XKS=.35, XPL=.3, XNB=.1, XSV=.08, XMR=.05, XBT=.04, XDR=.04, XZN=.02, XVD=.02), .6, (19, 55), (365, 730)),
    "family": (.25, dict(XDR=.2, XNB=.2, XTM=.2, XKS=.15, XPL=.1, XVD=.05, XOR=.05, XSV=.05), .4, (0, 70), (365, 1095)),
    "study": (.14, dict(XMR=.6, XNB=.1, XSV=.1, XQV=.1, XTM=.05, XPL=.05), .5, (17, 30), (300, 365)),
    "humanitarian": (.15, {"XTM": .9, STATELESS: .1}, .52, (0, 70), (365, 1095)),
    "other": (.08, dict(XZN=.6, XOR=.15, XVD=.15, XDR=.1), .48, (55, 80), (365, 1825)),
}
AGE_GROUPS = ["0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65+"]


def generate(rng, n_holders=12000):
    names = list(TYPES)
    kinds = rng.choice(names, size=n_holders, p=[t[0] for t in TYPES.values()])
    codes = pd.unique(rng.integers(0, 16**8, 2 * n_holders))[:n_holders]
    rows = []
    for code, kind in zip(codes, kinds):
        _, cit_p, male, (lo, hi), (short, long) = TYPES[kind]
        year = rng.choice(5, p=_year_weights(kind))
        start = int(year * 365 + rng.integers(0, 365))
        citizenship = str(rng.choice(list(cit_p), p=list(cit_p.values())))
        sex = "male" if rng.random() < male else "female"
        age = int(rng.integers(lo, hi + 1))
        first, first_start = True, start
        while start < DAYS:
            end = start + int(rng.integers(short, long + 1)) - 1
            rows.append((f"P{code:08X}", kind, first, start, end, citizenship, sex, age + (start - first_start) // 365))
            if rng.random() > .7:
                break
            first, start = False, end + 1
    df = pd.DataFrame(rows, columns=["holder_id", "permit_type", "first_permit", "start", "end", "citizenship", "sex", "age"])
    df = df.sort_values(["start", "holder_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "permit_id", np.arange(1, len(df) + 1))
    for col in ("start", "end"):
        df[col + "_date"] = START + df.pop(col).to_numpy().astype("timedelta64[D]")
    bins = [0, 15, 25, 35, 45, 55, 65, 200]
    df["age_group"] = pd.cut(df.pop("age"), bins, right=False, labels=AGE_GROUPS).astype("str")
    return df[["permit_id", "holder_id", "permit_type", "first_permit", "start_date", "end_date",
               "citizenship", "sex", "age_group"]]


def _year_weights(kind):
    if kind == "humanitarian":
        w = np.array([.05, .15, .25, .27, .28])
    else:
        w = YEAR_WEIGHT
    return w / w.sum()
