"""Generate the world tables: stocks, births, deaths, true moves and transitions, reported flows.

The generator works on whole numbers of people. For each five-year period it
draws the moves (by place of birth, origin and destination), the births and
the deaths, then computes the next stock table from the accounting identity

    stock_end[b, r] = stock_start[b, r] + births[r] * (b == r) - deaths[b, r]
                      + sum over o of flow[b, o, r] - sum over d of flow[b, r, d]

so the identity holds exactly. A **move** is one change of usual residence; a
**transition** compares where a person lived at the start and at the end of
the period. Most movers make one move, which is also one transition. A transit
migrant (Tamesh or Kestova to Suvania, then on to Veridia or Orlandia) makes two
moves and one transition; a circular migrant (Lamaria to Norbia and back, or the
reverse) makes two moves and no transition. Both tables satisfy the identity.
Births join the native-born diagonal of the
mother's country of residence, as in migest's ``ffs_demo`` (``birth_method =
"native"``). Deaths are kept by place of birth and place of residence; their
sum over place of birth is the ``deaths`` vector that ``ffs_demo`` takes.
"""

import numpy as np
import pandas as pd

from .world import COUNTRY_CODES, PERIODS, STOCK_YEARS

C = COUNTRY_CODES
N = len(C)
IX = {code: i for i, code in enumerate(C)}

# Population in 2015 (persons), five-year birth and death rates, and the
# five-year probability that a native (stay-at-home) person emigrates.
POPULATION = dict(XLM=12.0e6, XNB=6.0e6, XSV=9.0e6, XKS=15.0e6, XPL=20.0e6, XMR=8.0e6, XTM=18.0e6,
                  XVD=40.0e6, XOR=25.0e6, XBT=5.0e6, XDR=30.0e6, XQV=0.8e6, XZN=10.0e6)
BIRTH_RATE = dict(XLM=.075, XNB=.08, XSV=.085, XKS=.11, XPL=.10, XMR=.08, XTM=.15,
                  XVD=.05, XOR=.055, XBT=.09, XDR=.045, XQV=.09, XZN=.04)
DEATH_RATE = dict(XLM=.04, XNB=.045, XSV=.045, XKS=.035, XPL=.04, XMR=.04, XTM=.06,
                  XVD=.045, XOR=.045, XBT=.02, XDR=.055, XQV=.04, XZN=.06)
EMIGRATION = dict(XLM=.012, XNB=.010, XSV=.010, XKS=.025, XPL=.020, XMR=.012, XTM=.015,
                  XVD=.002, XOR=.003, XBT=.002, XDR=.004, XQV=.04, XZN=.003)
# How strongly each country attracts migrants, and special links (they work both ways).
ATTRACTION = dict(XLM=3.0, XNB=0.8, XSV=0.8, XKS=0.2, XPL=0.2, XMR=0.3, XTM=0.1,
                  XVD=6.0, XOR=4.0, XBT=3.0, XDR=1.5, XQV=0.1, XZN=1.0)
LINKS = {("XLM", "XNB"): 8.0, ("XLM", "XSV"): 2.0, ("XLM", "XDR"): 3.0, ("XKS", "XLM"): 3.0,
         ("XPL", "XLM"): 3.0, ("XTM", "XLM"): 3.0, ("XTM", "XSV"): 4.0, ("XMR", "XLM"): 2.0,
         ("XZN", "XLM"): 4.0, ("XQV", "XVD"): 4.0, ("XKS", "XBT"): 3.0, ("XPL", "XBT"): 3.0,
         ("XLM", "XBT"): 2.0, ("XLM", "XVD"): 2.0}
# Share of foreign-born movers who go back to their country of birth.
RETURN_SHARE = dict(XBT=0.8, XLM=0.4, XNB=0.5, XDR=0.4, XZN=0.3)
DEFAULT_RETURN_SHARE = 0.3
FOREIGN_BORN_MOBILITY = 0.12  # five-year probability that a foreign-born resident moves on
TRANSIT_SHARE = 0.4  # share of the movers from Tamesh and Kestova to Veridia and Orlandia who go through Suvania
CIRCULAR_RATE = 0.004  # five-year share of natives of Lamaria and Norbia who go to the other and come back


def _choice_matrix():
    """Probability that a mover from origin o goes to destination d."""
    w = np.zeros((N, N))
    for o in C:
        for d in C:
            if o != d:
                w[IX[o], IX[d]] = ATTRACTION[d] * LINKS.get((o, d), LINKS.get((d, o), 1))
    return w / w.sum(axis=1, keepdims=True)


def initial_stocks(rng):
    """Stock table for 2015: about 15 years of past moves on the native populations."""
    choice = _choice_matrix()
    stocks = np.zeros((N, N), dtype=np.int64)
    for b in C:
        natives = POPULATION[b]
        abroad = natives * EMIGRATION[b] * 3 * choice[IX[b]]
        abroad = rng.poisson(abroad)
        stocks[IX[b]] = abroad
        stocks[IX[b], IX[b]] = int(natives)
    return stocks


def period_moves(stocks, period, rng):
    """Moves and transitions in one period, as arrays ``[b, o, d]`` (place of birth, origin, destination).

    The moves are one-way moves of natives, onward and return moves of the
    foreign-born, and, in 2020-2025, refugees leaving conflict-affected Tamesh.
    Then some of the natives of Tamesh and Kestova who move to Veridia or
    Orlandia go through Suvania: they are taken from those direct moves and make
    two moves each (to Suvania, then on), but one transition. Last, circular
    migrants between Lamaria and Norbia go out and come back in the same period:
    two moves, no transition. Returns ``(moves, transitions)``.
    """
    choice = _choice_matrix()
    flow = np.zeros((N, N, N), dtype=np.int64)
    for b in range(N):
        for o in range(N):
            if b == o:
                rate, dest = EMIGRATION[C[o]], choice[o]
            else:
                back = RETURN_SHARE.get(C[o], DEFAULT_RETURN_SHARE)
                rate = FOREIGN_BORN_MOBILITY
                dest = choice[o] * (1 - back)
                dest[b] += back
                dest = dest / dest.sum()
            flow[b, o] += rng.poisson(stocks[b, o] * rate * dest)
            flow[b, o, o] = 0
    xlm, xnb, xsv, xtm = IX["XLM"], IX["XNB"], IX["XSV"], IX["XTM"]
    if period == "2020-2025":  # conflict in Tamesh
        for dest, share in (("XLM", 0.5), ("XSV", 0.3), ("XNB", 0.2)):
            flow[xtm, xtm, IX[dest]] += rng.poisson(POPULATION["XTM"] * 0.03 * share)
    transitions = flow.copy()  # so far every mover makes exactly one move
    # Transit: some of the movers from Tamesh and Kestova to Veridia and Orlandia pass through Suvania.
    for b in ("XTM", "XKS"):
        for d in ("XVD", "XOR"):
            n = rng.binomial(flow[IX[b], IX[b], IX[d]], TRANSIT_SHARE)
            flow[IX[b], IX[b], IX[d]] -= n
            flow[IX[b], IX[b], xsv] += n
            flow[IX[b], xsv, IX[d]] += n
    # Circular: natives of Lamaria and Norbia who move to the other and come back.
    for b, o, d in ((xlm, xlm, xnb), (xnb, xnb, xlm)):
        n = rng.poisson(CIRCULAR_RATE * stocks[b, o])
        flow[b, o, d] += n
        flow[b, d, o] += n
    return flow, transitions


def simulate(rng):
    """Stocks at the three dates and the births, deaths, moves and transitions between them."""
    stocks = [initial_stocks(rng)]
    births, deaths, flows, transitions = [], [], [], []
    for period in PERIODS:
        s = stocks[-1]
        residents = s.sum(axis=0)
        b = rng.poisson(residents * np.array([BIRTH_RATE[c] for c in C])).astype(np.int64)
        d = rng.binomial(s, np.array([DEATH_RATE[c] for c in C])[None, :] * _age_factor(s)).astype(np.int64)
        f, t = period_moves(s, period, rng)
        end = s + np.diag(b) - d + f.sum(axis=1) - f.sum(axis=2)
        if (end < 0).any():
            raise RuntimeError("negative stock; the world parameters need fixing")
        births.append(b)
        deaths.append(d)
        flows.append(f)
        transitions.append(t)
        stocks.append(end)
    return stocks, births, deaths, flows, transitions


def _age_factor(stocks):
    """Migrants are younger than natives, so their death rate is lower."""
    factor = np.full(stocks.shape, 0.6)
    np.fill_diagonal(factor, 1.0)
    return factor


def tables(rng):
    """The world tables as DataFrames, in the column order of the schema."""
    stocks, births, deaths, flows, transitions = simulate(rng)
    b_ix, r_ix = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    out = {}
    out["bilateral_stocks"] = pd.concat(
        pd.DataFrame({"year": year, "place_of_birth": np.array(C)[b_ix.ravel()],
                      "place_of_residence": np.array(C)[r_ix.ravel()], "stock": s.ravel()})
        for year, s in zip(STOCK_YEARS, stocks))
    out["births"] = pd.concat(pd.DataFrame({"period": p, "country": C, "births": b})
                              for p, b in zip(PERIODS, births))
    out["deaths"] = pd.concat(
        pd.DataFrame({"period": p, "place_of_birth": np.array(C)[b_ix.ravel()],
                      "place_of_residence": np.array(C)[r_ix.ravel()], "deaths": d.ravel()})
        for p, d in zip(PERIODS, deaths))
    out["true_flows"] = _long_flows(flows, "flow")
    out["true_transitions"] = _long_flows(transitions, "transitions")
    out["reporting_practices"] = reporting_practices()
    out["reported_flows"] = reported_flows(flows[-1], rng)
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def _long_flows(arrays, value):
    """One row per period, place of birth, origin and destination (origin != destination)."""
    rows = []
    for p, f in zip(PERIODS, arrays):
        b, o, d = np.indices(f.shape).reshape(3, -1)
        keep = o != d
        rows.append(pd.DataFrame({"period": p, "place_of_birth": np.array(C)[b[keep]],
                                  "origin": np.array(C)[o[keep]], "destination": np.array(C)[d[keep]],
                                  value: f[b[keep], o[keep], d[keep]]}))
    return pd.concat(rows)


# country: source, duration rule (months), coverage, share of emigrants recorded, notes
PRACTICES = {
    "XLM": ("population register", 12, "all persons", 0.6,
            "12-month rule. Many emigrants do not deregister, so emigration is under-recorded."),
    "XNB": ("border data", 3, "all persons", 0.9,
            "3-month rule: short-term moves count too, so both flows are higher than the 12-month truth; "
            "10% of emigrants are missed."),
    "XSV": ("household survey", 12, "all persons", 0.5,
            "A survey catches immigrants but misses many emigrants, whose whole household has left."),
    "XKS": ("border data", 6, "citizens only", 0.8,
            "Counts only its own citizens (leaving for work and coming back); 6-month rule adds some short-term moves."),
    "XPL": ("population register", 12, "citizens only", 0.7,
            "Counts only its own citizens; emigration under-recorded."),
    "XMR": ("population register", 6, "all persons", 0.7,
            "6-month rule: some short-term moves count; emigration under-recorded."),
    "XTM": ("none", None, None, None, "Conflict: no flow statistics."),
    "XVD": ("population register", 3, "all persons", 0.5,
            "3-month rule (flows higher than the 12-month truth); only half of emigrants deregister."),
    "XOR": ("population register", 12, "all persons", 0.8, "12-month rule; emigration slightly under-recorded."),
    "XBT": ("border data", 12, "foreign citizens only", 0.95,
            "Counts only foreign workers on contracts; its own citizens are not counted."),
    "XDR": ("population register", 12, "all persons", 0.6, "12-month rule; emigration under-recorded."),
    "XQV": ("none", None, None, None, "Small island state: no flow statistics."),
    "XZN": ("population register", 3, "all persons", 0.7,
            "3-month rule (flows higher than the 12-month truth); emigration under-recorded."),
}
# Short-term moves (3 to 12 months) per long-term move, counted by a 3- or 6-month rule.
SHORT_TERM_EXTRA = {3: 0.5, 6: 0.2, 12: 0.0}
YEAR_WEIGHTS = np.array([0.17, 0.19, 0.2, 0.21, 0.23])  # how a period's moves spread over its five years


def reporting_practices():
    rows = [(c, *PRACTICES[c]) for c in C]
    df = pd.DataFrame(rows, columns=["country", "source", "duration_rule", "coverage",
                                     "emigration_recorded_share", "notes"])
    df["duration_rule"] = df["duration_rule"].astype("Int64")
    return df


def reported_flows(flow, rng):
    """Annual flows for 2020-2024 as each reporting country counts them."""
    rows = []
    for r in C:
        source, rule, coverage, recorded, _ = PRACTICES[r]
        if source == "none":
            continue
        ri = IX[r]
        born_here = np.arange(N) == ri
        counted = {"all persons": np.ones(N, bool), "citizens only": born_here,
                   "foreign citizens only": ~born_here}[coverage]
        extra = 1 + SHORT_TERM_EXTRA[rule]
        for p in C:
            if p == r:
                continue
            inflow = flow[counted, IX[p], ri].sum()
            outflow = flow[counted, ri, IX[p]].sum()
            for direction, true, factor in (("immigration", inflow, extra),
                                            ("emigration", outflow, extra * recorded)):
                by_year = rng.multinomial(true, YEAR_WEIGHTS)
                reported = rng.poisson(by_year * factor)
                rows += [(2020 + y, r, p, direction, int(reported[y])) for y in range(5)]
    df = pd.DataFrame(rows, columns=["year", "reporting_country", "partner_country", "direction", "flow"])
    return df.sort_values(["year", "reporting_country", "partner_country", "direction"], kind="stable")
