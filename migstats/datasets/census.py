"""Generate ``census_sample``: a stratified two-stage sample of Lamaria's 2025 census.

Design: 10 strata (5 regions by urban/rural); in each stratum a number of
enumeration areas (the primary sampling units), then 50 households in each
area. Some households do not respond. The weight of a person is the stratum
population divided among the responding sample, with each area's weight raised
for its non-response. Migrants cluster in some areas, and neighbours share labour
market conditions (an area effect on unemployment, stronger for migrants, who find work
through the same networks), so the design effects of migrant estimates are well above 1, as
in real censuses and surveys.

Every person also has the number of parents born abroad and their country of birth (to find
the second generation), and the foreign-born have a reason for migration.

The foreign-born are drawn in proportion to Lamaria's 2025 column of
``bilateral_stocks``, so both datasets tell the same story.
"""

import numpy as np
import pandas as pd

from .world import STATELESS

CENSUS_YEAR = 2025.5  # census day, 30 June 2025, as a decimal year
# stratum: (region, urban, share of population, sampled areas, migrant household share)
STRATA = {
    1: ("Capital", "urban", .25, 70, .30), 2: ("Capital", "rural", .03, 15, .09),
    3: ("North", "urban", .08, 35, .14), 4: ("North", "rural", .10, 35, .09),
    5: ("Coast", "urban", .10, 40, .18), 6: ("Coast", "rural", .08, 30, .09),
    7: ("Valley", "urban", .07, 30, .09), 8: ("Valley", "rural", .12, 40, .06),
    9: ("East", "urban", .06, 35, .18), 10: ("East", "rural", .11, 40, .09),
}
HOUSEHOLDS_PER_AREA = 50
# Regions where migrants from a country like to live (default: Capital).
REGION_PREFERENCE = {"XNB": {"North": 3, "East": 3}, "XSV": {"Valley": 4}, "XTM": {"East": 4, "Capital": 2},
                     "XZN": {"Coast": 5}, "XKS": {"Coast": 2, "Valley": 1.5}, "XDR": {"Coast": 1.5}}
# Household types by country of birth: share of each type (others are families).
HOUSEHOLD_TYPES = {"XKS": {"men": .7}, "XPL": {"women": .65}, "XMR": {"students": .6},
                   "XTM": {"refugees": .85, "men": .15}, "XZN": {"retirees": .7}, "XDR": {"older": .5}}
# Range of the year of arrival, and share arriving in the recent part of it.
ARRIVAL = {"XKS": (2008, 2025), "XPL": (2005, 2025), "XMR": (2019, 2025), "XTM": (2021, 2025),
           "XZN": (2000, 2025), "XDR": (1965, 2005), "XNB": (1990, 2025)}
EDUCATION = ["none", "primary", "lower secondary", "upper secondary", "tertiary"]
EDUCATION_BY_BIRTH = {
    "XLM": [.03, .12, .25, .38, .22], "XKS": [.05, .35, .35, .2, .05], "XPL": [.03, .2, .35, .32, .1],
    "XMR": [0, 0, .05, .45, .5], "XTM": [.2, .35, .2, .15, .1], "XZN": [0, .02, .1, .4, .48],
    "XVD": [0, .02, .1, .4, .48], "XOR": [0, .02, .1, .4, .48], "XDR": [.02, .1, .25, .38, .25]}
DEFAULT_EDUCATION = [.05, .2, .3, .3, .15]
UNEMPLOYMENT = {"XLM": .07, "XTM": .28, "XKS": .05, "XMR": .15}
DEFAULT_UNEMPLOYMENT = .1
# Area and household effects on the log-odds of unemployment (standard deviations): all persons,
# migrants only (shared networks), and members of one household.
AREA_EFFECT, MIGRANT_AREA_EFFECT, HOUSEHOLD_EFFECT = .35, .6, .5
REASONS = ["work", "family", "study", "protection", "other"]  # protection: international protection
# Reason for migration of the foreign-born who came as adults, by country of birth.
REASON_BY_BIRTH = {"XTM": [.05, .05, 0, .9, 0], "XSV": [.2, .2, 0, .6, 0], "XKS": [.8, .15, 0, 0, .05],
                   "XPL": [.7, .25, .02, 0, .03], "XMR": [.2, .15, .65, 0, 0], "XZN": [.2, .2, 0, 0, .6],
                   "XDR": [.3, .3, 0, 0, .4]}
DEFAULT_REASON = [.45, .4, .05, 0, .1]
WG_DOMAINS = ["wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication"]


def generate(rng, stocks_2025):
    """The census sample; ``stocks_2025`` is Lamaria's column of the 2025 stock table."""
    foreign = stocks_2025.drop("XLM")
    households, area_factor = [], {}
    psu = 0
    for stratum, (region, urban, _, n_areas, migrant_share) in STRATA.items():
        pref = np.array([REGION_PREFERENCE.get(c, {"Capital": 1.5}).get(region, 1.0) for c in foreign.index])
        origin_p = foreign.to_numpy() * pref / (foreign.to_numpy() * pref).sum()
        for _ in range(n_areas):
            psu += 1
            area_migrant_share = min(0.9, migrant_share * rng.gamma(0.8, 1 / 0.8))
            responding = rng.binomial(HOUSEHOLDS_PER_AREA, rng.uniform(0.8, 0.98))
            area_factor[psu] = HOUSEHOLDS_PER_AREA / responding
            for _ in range(responding):
                if rng.random() < area_migrant_share:
                    members = _migrant_household(rng, rng.choice(foreign.index, p=origin_p))
                    for m in members:  # adults: parents born in the person's own country
                        m.setdefault("_parents", (m["country_of_birth"],) * 2)
                else:
                    members = _native_household(rng)
                    for m in members:
                        m["_parents"] = ("XLM", "XLM")
                households.append((stratum, psu, region, urban, members))
    rows = []
    for hh_id, (stratum, psu, region, urban, members) in enumerate(households, start=1):
        for m in members:
            rows.append({"household_id": hh_id, "stratum": stratum, "psu": psu, "region": region,
                         "urban": urban, **m})
    df = pd.DataFrame(rows)
    df.insert(0, "person_id", np.arange(1, len(df) + 1))
    df["weight"] = _weights(df, area_factor, stocks_2025.sum())
    _add_parents(df)
    return _add_reason(_add_characteristics(df, rng), rng)


def _add_parents(df):
    """How many parents were born abroad, and where (the mother's country if both, in two)."""
    mother, father = (pd.Series(v, index=df.index) for v in zip(*df.pop("_parents")))
    df["parents_born_abroad"] = (mother != "XLM").astype(int) + (father != "XLM").astype(int)
    df["parents_country_of_birth"] = mother.where(mother != "XLM", father).where(df["parents_born_abroad"] > 0)


def _add_reason(df, rng):
    """Reason for migration of the foreign-born: a child who came under 18 came with family."""
    probs = np.array([REASON_BY_BIRTH.get(b, DEFAULT_REASON) for b in df["country_of_birth"]])
    reason = np.array(REASONS)[(rng.random(len(df))[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)]
    age_at_arrival = df["age"] - (2025 - df["year_of_arrival"].astype("float"))
    reason = np.where((age_at_arrival < 18) & (reason != "protection"), "family", reason)
    df["reason_for_migration"] = np.where(df["country_of_birth"] != "XLM", reason, None)
    return df


def _weights(df, area_factor, population):
    factor = df["psu"].map(area_factor)
    share = df["stratum"].map({s: v[2] for s, v in STRATA.items()})
    return (population * share * factor / factor.groupby(df["stratum"]).transform("sum")).round(2)


def _person(sex, age, birth, citizenship, second=None, arrival=None, before=None):
    """One person; ``before`` is the country of residence before arrival."""
    return {"sex": sex, "age": int(min(max(age, 0), 100)), "country_of_birth": birth,
            "citizenship": citizenship, "second_citizenship": None if second == citizenship else second,
            "year_of_arrival": arrival, "_before": before}


def _children(rng, n, mother_age):
    """Ages of the children still at home: born when the mother was 18 to 39, aged 24 or less."""
    ages = mother_age - rng.integers(18, 40, n)
    return [int(a) for a in ages if 0 <= a <= 24]


def _native_household(rng):
    # Ages are drawn so that the native population has a smooth, slowly ageing pyramid:
    # families with children at home, couples whose children have left, people living alone,
    # and some grandparents living with a family.
    kind = rng.choice(["family", "couple", "single", "returnee"], p=[.57, .22, .18, .03])
    if kind == "single":
        return [_person(rng.choice(["female", "male"], p=[.6, .4]), int(rng.triangular(18, 30, 95)), "XLM", "XLM")]
    if kind == "couple":
        age = int(rng.triangular(22, 58, 92))
        return [_person("male", age + rng.integers(0, 5), "XLM", "XLM"), _person("female", age, "XLM", "XLM")]
    mother = int(rng.triangular(20, 32, 62))
    people = [_person("male", mother + rng.integers(0, 6), "XLM", "XLM"), _person("female", mother, "XLM", "XLM")]
    ages = _children(rng, rng.choice([1, 2, 3, 4, 5], p=[.2, .35, .25, .12, .08]), mother)
    if kind == "family" and rng.random() < .15:
        people.append(_person(rng.choice(["female", "male"], p=[.65, .35]), mother + int(rng.integers(22, 34)), "XLM", "XLM"))
    if kind == "returnee":  # the family lived abroad and came back
        abroad = rng.choice(["XVD", "XBT", "XOR", "XDR"], p=[.4, .3, .15, .15])
        arrival = int(rng.uniform(2012, CENSUS_YEAR))  # up to census day: 2025 is half a year
        for p in people:
            p.update(year_of_arrival=arrival, _before=abroad)
        for a in ages:
            born_abroad = CENSUS_YEAR - a < arrival
            second = abroad if born_abroad and rng.random() < .5 else None
            people.append(_person(rng.choice(["female", "male"]), a, abroad if born_abroad else "XLM", "XLM", second,
                                  arrival if born_abroad else None, abroad if born_abroad else None))
        return people
    # a few natives hold a second citizenship (a parent from Drovnia or Norbia)
    second = rng.choice(["XDR", "XNB"]) if rng.random() < .02 else None
    return people + [_person(rng.choice(["female", "male"]), a, "XLM", "XLM", second) for a in ages]


def _citizenship(rng, birth, arrival):
    """Citizenship of a foreign-born adult: naturalised after 5 years or more, sometimes dual."""
    if birth == "XTM" and rng.random() < .08:
        return STATELESS, None
    years = CENSUS_YEAR - arrival
    if rng.random() < 1 - np.exp(-max(0, years - 5) / 15):
        if rng.random() < .4:  # kept the citizenship of birth; some name it first, XLM second
            return (birth, "XLM") if rng.random() < .4 else ("XLM", birth)
        return "XLM", None
    return birth, None


def _migrant_household(rng, birth):
    lo, hi = ARRIVAL.get(birth, (1995, 2025))
    recent = birth in ("XTM", "XMR")
    # Arrivals are spread evenly in time up to census day, so 2025 (January to June) gets half a year.
    arrival = int(rng.uniform(lo, min(hi + 1, CENSUS_YEAR))) if not recent or rng.random() < .8 \
        else int(rng.integers(2010, lo + 1))
    types = HOUSEHOLD_TYPES.get(birth, {})
    kind = rng.choice(list(types) + ["family"], p=list(types.values()) + [1 - sum(types.values())])
    before = "XSV" if birth == "XTM" and rng.random() < .25 else birth  # some refugees came through Suvania

    def adult(sex, age):
        age = max(age, int(np.ceil(2025 - arrival)) + 16)  # arrived aged 16 or more
        cit, second = _citizenship(rng, birth, arrival)
        return _person(sex, age, birth, cit, second, arrival, before)

    if kind in ("men", "women"):
        sex = "male" if kind == "men" else "female"
        return [adult(sex, rng.integers(19, 46 if sex == "male" else 56)) for _ in range(rng.choice([1, 2, 3], p=[.5, .3, .2]))]
    if kind == "students":
        return [adult(rng.choice(["female", "male"]), rng.integers(18, 28)) for _ in range(rng.choice([1, 2], p=[.6, .4]))]
    if kind in ("retirees", "older"):
        age = int(rng.integers(60, 82) if kind == "retirees" else rng.integers(55, 90))
        return [adult("male", age + rng.integers(0, 4)), adult("female", age)]
    # families, some with a native Lamarian spouse
    mother = int(rng.integers(22, 56))
    mixed = birth in ("XDR", "XNB", "XVD", "XOR") and rng.random() < .3
    people = [adult("female", mother), (_person("male", mother + 2, "XLM", "XLM") if mixed else adult("male", mother + 2))]
    n = rng.choice([0, 1, 2, 3, 4, 5], p=[.1, .2, .3, .2, .12, .08] if kind == "refugees" else [.15, .3, .35, .15, .05, 0])
    parent_cit = "XLM" if mixed else people[0]["citizenship"]
    for a in _children(rng, n, people[0]["age"]):
        if CENSUS_YEAR - a < arrival:  # born abroad, came with the parents
            people.append(_person(rng.choice(["female", "male"]), a, birth, parent_cit,
                                  people[0]["second_citizenship"], arrival, before))
        else:  # born in Lamaria: takes a parent's citizenship (jus sanguinis)
            second = birth if mixed and rng.random() < .5 else None if mixed else people[0]["second_citizenship"]
            people.append(_person(rng.choice(["female", "male"]), a, "XLM", parent_cit, second))
    for child in people[2:]:
        child["_parents"] = (people[0]["country_of_birth"], people[1]["country_of_birth"])
    return people


def _clustered(rng, p, psu, household, migrant):
    """Probabilities ``p`` moved on the log-odds scale by area and household effects.

    Neighbours share a labour market, and migrants in an area share networks too, so outcomes
    cluster by area: this is what makes design effects exceed 1.
    """
    area = rng.normal(0, AREA_EFFECT, psu.max() + 1)[psu]
    migrant_area = rng.normal(0, MIGRANT_AREA_EFFECT, psu.max() + 1)[psu]
    home = rng.normal(0, HOUSEHOLD_EFFECT, household.max() + 1)[household]
    logit = np.log(p / (1 - p)) + area + np.where(migrant, migrant_area, 0) + home
    return 1 / (1 + np.exp(-logit))


def _add_characteristics(df, rng):
    """Residence 1 and 5 years ago, education, labour force status, Washington Group domains."""
    n = len(df)
    year = df["year_of_arrival"].astype("float")
    arrival_time = year + rng.random(n) * np.clip(CENSUS_YEAR - year, 0, 1)  # never after census day
    for years, col in ((1, "residence_1y_ago"), (5, "residence_5y_ago")):
        abroad = arrival_time > CENSUS_YEAR - years
        df[col] = np.where(abroad, df["_before"], "XLM")
        df.loc[df["age"] < years, col] = None
    df["year_of_arrival"] = df["year_of_arrival"].astype("Int64")
    adult = df["age"] >= 15
    birth = df["country_of_birth"]

    u = rng.random(n)
    probs = np.array([EDUCATION_BY_BIRTH.get(b, DEFAULT_EDUCATION) for b in birth])
    level = (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)
    level = np.where(df["age"] < 18, np.minimum(level, 2), level)
    level = np.where(df["age"] < 22, np.minimum(level, 3), level)
    level = np.where((df["age"] >= 65) & (level > 1) & (rng.random(n) < .3), level - 1, level)
    df["education"] = np.where(adult, np.array(EDUCATION)[level], None)

    age, male = df["age"].to_numpy(), (df["sex"] == "male").to_numpy()
    active = np.select([age < 25, age < 55, age < 65], [np.full(n, .45), np.where(male, .88, .68), np.where(male, .6, .45)],
                       np.where(male, .1, .06))
    active = np.where((birth == "XKS") & male, np.minimum(.97, active * 1.1), active)
    active = np.where((birth == "XPL") & ~male, np.minimum(.95, active * 1.25), active)
    active = np.where(birth == "XTM", active * .75, active)
    active = np.where((birth == "XMR") & (age < 28), active * .35, active)
    unemployment = birth.map(lambda b: UNEMPLOYMENT.get(b, DEFAULT_UNEMPLOYMENT)).to_numpy()
    unemployment = _clustered(rng, unemployment, df["psu"].to_numpy(), df["household_id"].to_numpy(),
                              (birth != "XLM").to_numpy())
    status = np.where(rng.random(n) >= active, "outside labour force",
                      np.where(rng.random(n) < unemployment, "unemployed", "employed"))
    df["labour_force_status"] = np.where(adult, status, None)

    frailty = rng.normal(0, 1, n) + np.where(birth == "XTM", .5, 0)
    strength = np.array([1.0, .9, 1.1, .8, .6, .5])  # walking and seeing difficulties are the most common
    score = ((age / 100) ** 2 * 3.0)[:, None] * strength + .7 * frailty[:, None] + rng.normal(0, .8, (n, 6))
    levels = 1 + (score[:, :, None] > np.array([1.9, 3.2, 4.2])).sum(axis=2)
    for j, col in enumerate(WG_DOMAINS):
        df[col] = pd.array(np.where(age >= 5, levels[:, j], 0), dtype="Int64")
        df.loc[age < 5, col] = pd.NA
    return df.drop(columns="_before")
