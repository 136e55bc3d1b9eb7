"""Generate the monthly series of module 5: flows into Lamaria by category and origin, their
drivers, and two new data sources (a search-interest index and a mobile-phone signal).

Each month's expected flow is the product of known parts, so the truth is known:

    expected = base * growth ** years * season[category][month] * covid[month] * driver effect

- asylum follows conflict events in the origin two months earlier (``40 + 6 * events``
  for Tamesh): a surge from September 2022;
- labour follows the unemployment gap three months earlier (``exp(0.08 * gap)``) and is
  1.5 times higher while a visa scheme is open (Kestova, from January 2022);
- study from Mirelia falls by 40 per cent when the study visa is tightened (September 2024);
- every category collapses in spring 2020 (borders closed) and recovers during 2021.

The observed flow is a gamma-Poisson (negative binomial) draw around the expected flow. The
series run 2015-2025: ``monthly_flows`` holds 2015-2024, ``monthly_flows_future`` holds 2025,
the truth a forecast made at the end of 2024 is scored against.
"""

import numpy as np
import pandas as pd

MONTHS = pd.date_range("2015-01-01", "2025-12-01", freq="MS")
LAST_OBSERVED = pd.Timestamp("2024-12-01")
CATEGORIES = ["asylum", "labour", "family", "study"]
# (category, origin): expected flow per month in 2015 before season and drivers, yearly growth
SERIES = {
    ("asylum", "XTM"): (None, 1.0), ("asylum", "XSV"): (35, 1.0),
    ("labour", "XKS"): (380, 1.02), ("labour", "XPL"): (330, 1.03), ("labour", "XNB"): (150, 1.01),
    ("family", "XKS"): (80, 1.03), ("family", "XPL"): (70, 1.03), ("family", "XNB"): (60, 1.0),
    ("family", "XDR"): (50, 0.98), ("family", "XTM"): (25, 1.05),
    ("study", "XMR"): (240, 1.05), ("study", "XNB"): (40, 1.02), ("study", "XDR"): (30, 1.0),
}
ORIGINS = ["XTM", "XSV", "XKS", "XPL", "XNB", "XDR", "XMR"]
SEASON = {  # multiplicative, by calendar month (mean 1 after normalising)
    "asylum": [.8, .7, .8, .9, 1., 1.1, 1.2, 1.3, 1.3, 1.1, .9, .9],
    "labour": [.8, .9, 1.2, 1.3, 1.3, 1.2, 1., .9, 1., .9, .8, .7],
    "family": [.9, .9, 1., 1., 1., 1.1, 1.3, 1.3, 1., .9, .8, .8],
    "study": [.6, .5, .5, .5, .5, .6, .9, 1.8, 3., 1.1, .6, .4],
}
# Closed borders: multiplier from March 2020, back to 1 from October 2021.
COVID = [.6, .1, .15, .3, .5, .6, .65, .7, .7, .7, .75, .75, .8, .8, .8, .85, .85, .9, .95]
COVID_START = pd.Timestamp("2020-03-01")
DISPERSION = 60  # gamma shape: the larger, the closer to Poisson
SIGNAL_ORIGINS = ["XTM", "XKS"]  # the origins with a search index and a mobile signal
MOBILE_START = pd.Timestamp("2018-01-01")
MEDIA_EVENTS = {"2017-03-01": 60, "2019-05-01": 45, "2021-10-01": 70, "2024-02-01": 50}  # unrelated to flows


def covid_factor(months):
    """The 2020 collapse: 1 before March 2020 and after September 2021."""
    k = (months.year - COVID_START.year) * 12 + months.month - COVID_START.month
    k = np.asarray(k)
    return np.where((k >= 0) & (k < len(COVID)), np.take(COVID, np.clip(k, 0, len(COVID) - 1)), 1.0)


def drivers(rng):
    """Monthly drivers by origin: conflict events, unemployment gap, visa policy."""
    n = len(MONTHS)
    rows = []
    t = np.arange(n)
    covid_unemployment = 3.0 * (1 - covid_factor(MONTHS))  # Lamaria's unemployment rose in 2020
    for origin in ORIGINS:
        if origin == "XTM":
            level = np.full(n, 5.0)
            level[MONTHS >= "2022-09-01"] = 55.0
            level[MONTHS >= "2024-01-01"] = 30.0
            level[MONTHS >= "2025-04-01"] = 15.0
        else:
            level = np.full(n, 2.0 if origin == "XSV" else 0.5)
        events = rng.poisson(level)
        gap = np.zeros(n)
        mean_gap = {"XKS": 6.0, "XPL": 4.0, "XNB": 1.0}.get(origin, 2.0)
        for i in range(n):
            prev = gap[i - 1] if i else mean_gap
            gap[i] = mean_gap + 0.9 * (prev - mean_gap) + rng.normal(0, 0.3)
        gap = gap - covid_unemployment + 0.01 * (t - n / 2)
        policy = np.zeros(n, dtype=int)
        if origin == "XKS":
            policy[MONTHS >= "2022-01-01"] = 1
        if origin == "XMR":
            policy[MONTHS >= "2024-09-01"] = -1
        rows.append(pd.DataFrame({"month": MONTHS, "origin": origin, "conflict_events": events,
                                  "unemployment_gap": np.round(gap, 2), "visa_policy": policy}))
    return pd.concat(rows, ignore_index=True)


def expected_flows(drv):
    """The expected (noise-free) monthly flow of every series: the ground truth."""
    out = []
    years = (MONTHS.year - 2015) + (MONTHS.month - 1) / 12
    for (category, origin), (base, growth) in SERIES.items():
        d = drv[drv["origin"] == origin].set_index("month").reindex(MONTHS)
        season = np.array(SEASON[category]) / np.mean(SEASON[category])
        mu = season[MONTHS.month - 1] * growth ** years
        covid = covid_factor(MONTHS)
        if category == "asylum":
            covid = 1 - 0.5 * (1 - covid)  # people fleeing still arrive, in smaller numbers
            events = d["conflict_events"].shift(2).bfill().to_numpy()
            mu = mu * (40 + 6 * events if origin == "XTM" else base * (1 + 0.2 * events))
        elif category == "labour":
            gap = d["unemployment_gap"].shift(3).bfill().to_numpy()
            mu = mu * base * np.exp(0.08 * (gap - gap[:36].mean()))
            mu = mu * np.where(d["visa_policy"].to_numpy() > 0, 1.5, 1.0)
        elif category == "study":
            mu = mu * base * np.where(d["visa_policy"].to_numpy() < 0, 0.6, 1.0)
        else:
            mu = mu * base
        out.append(pd.DataFrame({"month": MONTHS, "category": category, "origin": origin,
                                 "expected": mu * covid}))
    return pd.concat(out, ignore_index=True)


def generate(rng):
    """The tables ``monthly_flows``, ``monthly_flows_future``, ``flow_drivers``, ``digital_signals``."""
    drv = drivers(rng)
    flows = expected_flows(drv)
    flows["flow"] = rng.poisson(flows["expected"] * rng.gamma(DISPERSION, 1 / DISPERSION, len(flows)))
    flows["category"] = pd.Categorical(flows["category"], CATEGORIES)
    flows = flows.sort_values(["month", "category", "origin"], kind="stable").reset_index(drop=True)
    observed = flows[flows["month"] <= LAST_OBSERVED][["month", "category", "origin", "flow"]]
    future = flows[flows["month"] > LAST_OBSERVED][["month", "category", "origin", "flow", "expected"]]
    future = future.assign(expected=future["expected"].round(2))
    return observed.reset_index(drop=True), future.reset_index(drop=True), drv, signals(rng, flows, drv)


def signals(rng, flows, drv):
    """Search interest and a mobile-phone signal for the main series of two origins.

    Media attention follows conflict in the origin plus four news events unrelated to
    migration. Search interest is driven 70 per cent by media attention and 30 per cent by
    the number of people who move, scaled so its maximum is 100 (as Google Trends does). The
    mobile signal counts phones from the origin newly seen in Lamaria for 30 days: it exists
    from 2018 and sees a share of arrivals that grows from 35 per cent (more smartphones), and
    a smaller share among asylum seekers (20 per cent less).
    """
    rows = []
    for origin in SIGNAL_ORIGINS:
        main = flows[(flows["origin"] == origin) & (flows["category"] == ("asylum" if origin == "XTM" else "labour"))]
        moving = main.set_index("month")["expected"].reindex(MONTHS).to_numpy()
        events = drv[drv["origin"] == origin].set_index("month")["conflict_events"].reindex(MONTHS).to_numpy()
        media = 10 + 0.8 * events + rng.gamma(4, 2, len(MONTHS))
        for month, size in MEDIA_EVENTS.items():
            media[MONTHS.get_loc(pd.Timestamp(month))] += size
        raw = 0.7 * media / media.mean() + 0.3 * moving / moving.mean() + rng.normal(0, 0.08, len(MONTHS))
        search = np.clip(np.round(100 * raw / raw.max()), 0, 100).astype(int)
        years = (MONTHS.year - 2018) + (MONTHS.month - 1) / 12
        share = (0.35 + 0.05 * years) * (0.8 if origin == "XTM" else 1.0)
        mobile = rng.binomial(main.set_index("month")["flow"].reindex(MONTHS).to_numpy(), np.clip(share, 0, 1))
        mobile = pd.array(mobile, dtype="Int64")
        mobile[np.asarray(MONTHS < MOBILE_START)] = pd.NA
        rows.append(pd.DataFrame({"month": MONTHS, "origin": origin, "media_attention": np.round(media, 2),
                                  "search_index": search, "mobile_arrivals": mobile}))
    return pd.concat(rows, ignore_index=True)
