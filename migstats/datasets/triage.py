"""Generate ``triage_cases``: work-visa applications to Lamaria, 2019-2024, with a known bias.

Whether an applicant meets the rules (``eligible``) depends only on the file: complete
documents, a sponsor, months of proof of means, a past overstay, a language test. The same
rule holds for every nationality and sex. ``eligible`` is the ground truth: in this synthetic
world a review panel later checked every file.

The historical decisions (``granted``) are the officers' decisions. They grant eligible files
and refuse the others, with a 5 per cent error each way, except at the desk for Kestova
applications: there, eligible men were refused 35 per cent of the time and eligible women
15 per cent of the time. This is the documented bias a model trained on the decisions learns.
Kestova applicants apply mostly at the consulate, so the channel is a proxy for nationality.
"""

import numpy as np
import pandas as pd

NATIONALITIES = {"XKS": .25, "XPL": .25, "XMR": .2, "XTM": .15, "XNB": .15}
SHARE_MALE = {"XKS": .75, "XPL": .25, "XMR": .5, "XTM": .55, "XNB": .5}
SHARE_CONSULATE = {"XKS": .95, "XPL": .1, "XMR": .1, "XTM": .15, "XNB": .05}
BIASED_REFUSAL = {("XKS", "male"): .35, ("XKS", "female"): .15}  # refusal of eligible files
ERROR = .05  # officers' error each way elsewhere
YEARS = range(2019, 2025)


def eligibility_score(df):
    """Log-odds that a file meets the rules (the same rule for everybody)."""
    return (-2.5 + 2.0 * df["documents_complete"] + 1.5 * df["sponsor"] + 0.25 * df["months_of_means"]
            - 2.5 * df["prior_overstay"] + 0.7 * df["language_test"])


def generate(rng, n=10000):
    nat = rng.choice(list(NATIONALITIES), size=n, p=list(NATIONALITIES.values()))
    male = rng.random(n) < pd.Series(nat).map(SHARE_MALE).to_numpy()
    df = pd.DataFrame({
        "case_id": np.arange(1, n + 1),
        "year": rng.choice(list(YEARS), size=n),
        "nationality": nat,
        "sex": np.where(male, "male", "female"),
        "age": rng.integers(18, 61, n),
        "channel": np.where(rng.random(n) < pd.Series(nat).map(SHARE_CONSULATE).to_numpy(), "consulate", "online"),
        "documents_complete": rng.random(n) < .75,
        "sponsor": rng.random(n) < .5,
        "months_of_means": rng.integers(0, 13, n),
        "prior_overstay": rng.random(n) < .08,
        "language_test": rng.random(n) < .6,
    })
    score = eligibility_score(df.astype({c: int for c in ("documents_complete", "sponsor", "prior_overstay", "language_test")}))
    df["eligible"] = rng.random(n) < 1 / (1 + np.exp(-score))
    refuse_eligible = np.array([BIASED_REFUSAL.get((a, b), ERROR) for a, b in zip(df["nationality"], df["sex"])])
    u = rng.random(n)
    df["granted"] = np.where(df["eligible"], u >= refuse_eligible, u < ERROR)
    return df.sort_values(["year", "case_id"], kind="stable").reset_index(drop=True).assign(
        case_id=lambda d: np.arange(1, len(d) + 1))
