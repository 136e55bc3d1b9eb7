"""Differential privacy: noisy counts with OpenDP, DP synthetic data with pac-synth, and the
risk measures that show what a synthetic file still gives away.

A mechanism is epsilon-differentially private when adding or removing one person changes the
probability of any output by a factor of at most exp(epsilon) {Dwork and Roth 2014}. The noise
comes from the OpenDP library {OpenDP Team 2024}, which draws it exactly from a secure source of
randomness: it cannot be seeded, on purpose. ``dp_synthesise`` calls pac-synth, Microsoft's
aggregate-seeded DP synthesiser from the Synthetic Data Showcase, the tool behind CTDC's
synthetic dataset {CTDC 2021}; it cannot be seeded either.

Counts. One person is one record and adds 1 to exactly one cell of a count table, so one person
changes the table by 1 in the L1 and in the L2 norm (sensitivity 1).
"""

import numpy as np
import opendp.combinators as dpc
import opendp.measurements as dpm
import pandas as pd
from opendp.domains import atom_domain, vector_domain
from opendp.metrics import l1_distance, l2_distance
from opendp.mod import binary_search_param, enable_features

# OpenDP's core modules, not `opendp.prelude`: the prelude also imports its extras (scikit-learn,
# Polars): 1.3 s more in every lesson and learner's kernel that imports this module.
enable_features("contrib")  # OpenDP's mechanisms are in its "contrib" set, proven on paper

__all__ = [
    "copied_records",
    "dp_synthesise",
    "gaussian_counts",
    "gaussian_measurement",
    "laplace_counts",
    "laplace_measurement",
    "membership_advantage",
    "with_totals",
]

_COUNTS = (vector_domain(atom_domain(T=int)),)


def _check_epsilon(epsilon):
    if not isinstance(epsilon, (int, float)) or not 0 < epsilon < np.inf:
        raise ValueError(f"epsilon must be a positive number (the privacy loss), not {epsilon!r}.")


def laplace_measurement(epsilon):
    """OpenDP's (discrete) Laplace mechanism on a vector of counts, with scale 1 / epsilon.

    ``measurement.map(1)`` gives the epsilon it spends when one person is added or removed.
    """
    _check_epsilon(epsilon)
    return dpm.make_laplace(*_COUNTS, l1_distance(T=int), scale=1 / epsilon)


def gaussian_measurement(epsilon, delta):
    """OpenDP's (discrete) Gaussian mechanism on a vector of counts, (epsilon, delta)-DP.

    OpenDP proves the Gaussian mechanism in zero-concentrated DP; the measurement converts that to
    (epsilon, delta) and the noise scale is the smallest that spends at most ``epsilon`` at
    ``delta``. ``measurement.map(1)`` gives (epsilon, delta).
    """
    _check_epsilon(epsilon)
    if not 0 < delta < 1:
        raise ValueError(f"delta must be a small probability between 0 and 1, not {delta!r}.")

    def make(scale):
        gauss = dpm.make_gaussian(*_COUNTS, l2_distance(T=float), scale=scale)
        return dpc.make_fix_delta(dpc.make_zCDP_to_approxDP(gauss), delta)

    return make(binary_search_param(make, d_in=1, d_out=(epsilon, delta)))


def _apply(measurement, counts):
    """Run a measurement on the cells of a Series or DataFrame of counts; keep its shape."""
    if not isinstance(counts, (pd.Series, pd.DataFrame)):
        raise TypeError("counts must be a pandas Series or DataFrame, not "
                        f"{type(counts).__name__}.")
    values = counts.to_numpy()
    if not np.issubdtype(values.dtype, np.integer) or (values < 0).any():
        raise TypeError("counts must hold whole numbers of at least 0 (one count per cell).")
    noisy = np.array(measurement([int(v) for v in values.ravel()]), dtype=int)
    if isinstance(counts, pd.Series):
        return pd.Series(noisy, index=counts.index, name=counts.name)
    return pd.DataFrame(noisy.reshape(values.shape), index=counts.index, columns=counts.columns)


def laplace_counts(counts, epsilon):
    """The counts plus discrete Laplace noise of scale 1 / epsilon: epsilon-DP (OpenDP).

    The noise has mean 0 and standard deviation about sqrt(2) / epsilon (a little less when
    epsilon is near 1 or more, as the noise is a whole number), whatever the size of the cell. Noisy counts can be negative; see ``with_totals`` for post-processing.
    """
    return _apply(laplace_measurement(epsilon), counts)


def gaussian_counts(counts, epsilon, delta):
    """The counts plus discrete Gaussian noise: (epsilon, delta)-DP (OpenDP)."""
    return _apply(gaussian_measurement(epsilon, delta), counts)


def with_totals(noisy):
    """Post-processing of a noisy table: negative cells set to 0, totals added as sums of cells.

    Post-processing uses no data, so it spends no privacy budget. The result is non-negative and
    its totals agree with its cells (a "total" row and column are appended to a DataFrame).
    """
    cells = noisy.clip(lower=0)
    if isinstance(cells, pd.Series):
        return pd.concat([cells, pd.Series({"total": cells.sum()})])
    out = cells.copy()
    out["total"] = out.sum(axis=1)
    out.loc["total"] = out.sum(axis=0)
    return out


def dp_synthesise(df, epsilon, reporting_length=3, n=None):
    """A differentially private synthetic file made with pac-synth's aggregate-seeded synthesiser.

    pac-synth counts every combination of up to ``reporting_length`` attribute values with DP noise
    (budget ``epsilon``), drops the rare ones, and draws records that reproduce the noisy counts
    (balancing the draws with the counts already synthesised, pac-synth's
    ``use_synthetic_counts``, which keeps two-way tables much closer).
    Empty values stay empty. The columns keep their types (numbers, True/False). ``n`` is the
    number of records wanted (default: about as many as the real file). Not seedable: each call
    gives another file.
    """
    from pacsynth import (Dataset, DpAggregateSeededParametersBuilder,
                          DpAggregateSeededSynthesizer)

    _check_epsilon(epsilon)
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise ValueError("df must be a non-empty DataFrame (the real records to learn from).")
    text = df.astype("string").fillna("")
    zeros = [c for c in df.columns if text[c].eq("0").any()]  # pac-synth treats "0" as empty
    synthesiser = DpAggregateSeededSynthesizer(
        DpAggregateSeededParametersBuilder().epsilon(float(epsilon))
        .reporting_length(reporting_length).use_synthetic_counts(True).build())
    synthesiser.fit(Dataset.from_data_frame(text.astype(object), sensitive_zeros=zeros))
    raw = synthesiser.sample(n)
    out = pd.DataFrame(raw[1:], columns=raw[0])[list(df.columns)].replace("", None)
    # pac-synth returns the records in the order it drew them, similar ones together: shuffle
    out = out.sample(frac=1, random_state=np.random.default_rng()).reset_index(drop=True)
    for column in df.columns:
        if pd.api.types.is_bool_dtype(df[column]):
            out[column] = out[column].map({"True": True, "False": False}).astype("boolean")
        elif pd.api.types.is_numeric_dtype(df[column]):
            out[column] = pd.to_numeric(out[column]).astype("Int64")
        else:
            out[column] = out[column].astype("string")
    return out


def _keys(df, columns):
    """One key per record: the tuple of its values of ``columns`` as text, None when empty."""
    text = df[columns].astype("string").astype(object)
    records = text.where(text.notna(), None).itertuples(index=False, name=None)
    return pd.Series(list(records), index=df.index, dtype=object)


def copied_records(synthetic, real, columns):
    """Share of the real file's unique records (on ``columns``) that the synthetic file contains.

    A real record that no other real record matches is the easiest to recognise. If a synthetic
    record has exactly its values, anyone who knows the person learns that the combination is in
    the synthetic file, and so, from a synthesiser that copies, that the person is in the data.
    """
    real_keys = _keys(real, columns)
    unique = real_keys[~real_keys.duplicated(keep=False)]
    if unique.empty:
        return 0.0
    return float(unique.isin(set(_keys(synthetic, columns))).mean())


def membership_advantage(synthetic, members, non_members, columns):
    """A simple membership-inference attack on a synthetic file {Stadler et al. 2022}.

    The attacker guesses "was in the training data" for every target whose exact values of
    ``columns`` appear in the synthetic file. ``members`` were used to train the synthesiser,
    ``non_members`` were not. Returns the true-positive rate, the false-positive rate and the
    advantage (their difference): 0 when the attack does no better than chance. An
    epsilon-DP synthesiser bounds the true-positive rate by exp(epsilon) times the false one.
    """
    seen = set(_keys(synthetic, columns))
    tpr = float(_keys(members, columns).isin(seen).mean())
    fpr = float(_keys(non_members, columns).isin(seen).mean())
    return {"true positive rate": tpr, "false positive rate": fpr, "advantage": tpr - fpr}
