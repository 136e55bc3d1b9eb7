"""Disaggregated indicators from a sample, with their uncertainty and publication rules.

Estimates are weighted totals, means, proportions and ratios for each domain (a group such as
"foreign-born women aged 15-24"). Their standard errors follow a stratified cluster design
(strata, primary sampling units (PSUs) and weights) by Taylor linearisation with the
with-replacement approximation, as survey software does (R ``survey``, Stata ``svy``, samplics)
{Wolter 2007, ch. 6; Lohr 2022, ch. 9}.

The course implements these formulas itself, for teaching: each step is short and visible
(PSU totals, then their spread within each stratum). The tests check the results against a hand
computation of the textbook formula and against the samplics package.

Domains are estimated as subpopulations: a record outside a domain adds zero to that domain,
but its PSU still counts in the variance. Subsetting the data first would drop PSUs and give
wrong standard errors.

Proportions get intervals that stay between 0 and 1 (logit, or Korn-Graubard as NCHS uses;
`proportion_interval`) and an interval-width publication rule (`proportion_status`); counts get
the CV rule of `publication_status`. `domain_difference` gives the SE of a difference between
two domains with their covariance; ``fpc=`` applies the finite population correction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
# scipy.special, not scipy.stats: the same quantiles (scipy.stats calls these functions), without
# the second that importing scipy.stats takes in every lesson and every learner's kernel.
from scipy.special import betaincinv, stdtrit

from migstats import show

__all__ = [
    "WG_COLUMNS",
    "age_group",
    "domain_difference",
    "format_estimates",
    "indicator_table",
    "proportion_interval",
    "proportion_status",
    "publication_status",
    "weighted_mean",
    "weighted_proportion",
    "weighted_ratio",
    "weighted_total",
    "wg_disability",
]

ESTIMATE_COLUMNS = ["estimate", "se", "cv", "ci_low", "ci_high", "deff", "n"]
WG_COLUMNS = ["wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare",
              "wg_communication"]
KINDS = ("total", "mean", "proportion")
INTERVALS = ("logit", "korn-graubard", "wald")


# ---------------------------------------------------------------------------------------------
# Estimates with standard errors
# ---------------------------------------------------------------------------------------------

def weighted_total(data: pd.DataFrame, variable: str | None = None, by=None, *,
                   weight: str = "weight", stratum: str = "stratum", psu: str = "psu",
                   level: float = 0.95, fpc: dict | float | None = None) -> pd.DataFrame:
    """Weighted total of ``variable`` in each domain of ``by`` (persons if ``variable`` is None).

    Estimate: the sum of weight * value over the domain (Horvitz-Thompson). A missing value
    counts as zero. Returns one row per domain with the columns ``estimate``, ``se`` (standard
    error), ``cv`` (coefficient of variation, se / estimate), ``ci_low``, ``ci_high``
    (confidence interval at ``level``, Student t with PSUs minus strata degrees of freedom),
    ``deff`` (design effect) and ``n`` (records in the domain with a value).
    ``fpc``: the share of PSUs sampled in each stratum (a dict stratum: share, or one number
    for all); each stratum's variance is then multiplied by 1 - share, the finite population
    correction. None (the default) treats PSUs as drawn with replacement.
    Source: {Lohr 2022, ch. 9; Wolter 2007, ch. 6}.
    """
    if variable is None:
        y = np.ones(len(_check_frame(data)))
    else:
        y = _numeric(data, variable, "variable")
    return _estimate(data, y, None, by, weight, stratum, psu, level, fpc)


def weighted_mean(data: pd.DataFrame, variable: str, by=None, *, weight: str = "weight",
                  stratum: str = "stratum", psu: str = "psu", level: float = 0.95,
                  fpc: dict | float | None = None) -> pd.DataFrame:
    """Weighted mean of ``variable`` in each domain of ``by``; records with no value are left out.

    The mean is the ratio of two weighted totals (values and persons), so its standard error
    comes from the linearised ratio {Lohr 2022, ch. 9}. Same columns as `weighted_total`.
    """
    y = _numeric(data, variable, "variable")
    return _estimate(data, y, np.where(np.isnan(y), np.nan, 1.0), by, weight, stratum, psu, level,
                     fpc)


def weighted_proportion(data: pd.DataFrame, variable: str, by=None, *, weight: str = "weight",
                        stratum: str = "stratum", psu: str = "psu", level: float = 0.95,
                        interval: str = "logit", fpc: dict | float | None = None) -> pd.DataFrame:
    """Weighted share (0 to 1) of records where ``variable`` is 1 (True), in each domain of ``by``.

    ``variable`` holds 1/0 (or True/False). Set it to missing for records outside the
    denominator: for an unemployment rate, missing for persons outside the labour force. Those
    records are left out of the share, but their PSUs still count in the variance.
    Same columns as `weighted_total`, plus ``n_eff`` (effective sample size); ``n`` is the
    number of records in the denominator. The interval is ``interval`` ("logit", the default,
    as samplics; "korn-graubard", as NCHS; or "wald", symmetric): see `proportion_interval`.
    """
    y = _numeric(data, variable, "variable")
    values = set(np.unique(y[~np.isnan(y)]).tolist())
    if not values <= {0.0, 1.0}:
        raise ValueError(f"variable={variable!r} must hold only 1/0 or True/False (and missing for "
                         f"records outside the denominator); it also holds "
                         f"{sorted(values - {0.0, 1.0})[:5]}. Fix: build it with a condition, "
                         f"e.g. (data['x'] == 'a').astype(int).")
    if interval not in INTERVALS:
        raise ValueError(f"interval={interval!r}; choose one of {INTERVALS}.")
    return _estimate(data, y, np.where(np.isnan(y), np.nan, 1.0), by, weight, stratum, psu, level,
                     fpc, interval)


def weighted_ratio(data: pd.DataFrame, numerator: str, denominator: str, by=None, *,
                   weight: str = "weight", stratum: str = "stratum", psu: str = "psu",
                   level: float = 0.95, fpc: dict | float | None = None) -> pd.DataFrame:
    """Ratio of two weighted totals, sum(w*numerator) / sum(w*denominator), in each domain.

    Records missing either value are left out. The standard error uses the linearised variable
    u = (numerator - R * denominator) / X {Wolter 2007, ch. 6; Lohr 2022, ch. 9}.
    Same columns as `weighted_total`.
    """
    y = _numeric(data, numerator, "numerator")
    x = _numeric(data, denominator, "denominator")
    missing = np.isnan(y) | np.isnan(x)
    return _estimate(data, np.where(missing, np.nan, y), np.where(missing, np.nan, x), by,
                     weight, stratum, psu, level, fpc)


def _estimate(data, y, x, by, weight, stratum, psu, level, fpc=None,
              interval=None) -> pd.DataFrame:
    """Totals (x is None) or ratios sum(w*y)/sum(w*x), with Taylor-linearised standard errors.

    Course implementation of the textbook formula, for teaching. For each domain d and each
    PSU i of stratum h, z_hi = sum of w_k * u_k over the PSU's records in d, where u_k = y_k
    for a total and u_k = (y_k - R_d x_k) / X_d for a ratio. Then
    var = sum_h (1 - f_h) n_h / (n_h - 1) * sum_i (z_hi - mean_h z)^2, with n_h the PSUs of
    stratum h in the whole sample and f_h its sampling fraction (0 without ``fpc``)
    {Wolter 2007, ch. 6; Lohr 2022, ch. 9}. ``interval`` (for proportions) names the method of
    `proportion_interval` and adds the column ``n_eff``; otherwise the interval is symmetric.
    """
    _check_level(level)
    lin = _linearise(data, y, x, by, weight, stratum, psu, fpc)
    w, d, valid, n, y0, x0, estimate = (lin[k] for k in ("w", "d", "valid", "n", "y0", "x0",
                                                          "estimate"))
    is_ratio = x is not None
    variance = _variance(lin["z"], lin)
    se = np.sqrt(variance)
    n_domains = len(lin["keys"])

    def by_domain(values):
        return np.bincount(d, weights=np.where(valid, values, 0.0), minlength=n_domains)

    y_total = by_domain(w * y0)
    # Variance under simple random sampling (with replacement) of the same size, for the deff.
    if is_ratio:
        x_total = by_domain(w * x0)
        w_d = by_domain(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            resid2 = by_domain(w * (y0 - estimate[d] * x0) ** 2)
            # one record has no spread: no design effect (rounding would give 0, not NaN)
            s2 = np.where(n > 1, resid2 / w_d * n / (n - 1), np.nan)
            var_srs = s2 / (n * (x_total / w_d) ** 2)
            spread = s2 / (resid2 / w_d + by_domain(w * y0 ** 2) / w_d)
    else:
        n_all, w_all = len(w), w.sum()
        mean_square = by_domain(w * y0 ** 2) / w_all
        s2 = (mean_square - (y_total / w_all) ** 2) * n_all / (n_all - 1)
        var_srs = w_all ** 2 * s2 / n_all
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = s2 / mean_square
    with np.errstate(invalid="ignore", divide="ignore"):
        # No design effect when the values do not vary (rounding error only), e.g. a count of
        # every person in a subset.
        deff = np.where(spread > 1e-9, variance / var_srs, np.nan)
        cv = np.where(estimate != 0, se / np.abs(estimate), np.nan)

    t = stdtrit(lin["df"], 0.5 + level / 2)
    table = pd.DataFrame({"estimate": estimate, "se": se, "cv": cv,
                          "ci_low": estimate - t * se, "ci_high": estimate + t * se,
                          "deff": deff, "n": n.astype(int)}, index=lin["keys"])
    if interval is not None:
        low, high, n_eff = proportion_interval(estimate, se, n, lin["df"], level=level,
                                               method=interval)
        table = table.assign(ci_low=low, ci_high=high, n_eff=n_eff)
    return table


def _linearise(data, y, x, by, weight, stratum, psu, fpc):
    """Estimates and the domain x PSU matrix ``z`` of PSU totals of w*u (see `_estimate`)."""
    w, psu_code, psu_stratum = _design(data, weight, stratum, psu)
    domain, keys = _domains(data, by)
    n_domains, n_psus = len(keys), len(psu_stratum)
    is_ratio = x is not None
    valid = (domain >= 0) & ~np.isnan(y) & (~np.isnan(x) if is_ratio else True)
    y0 = np.where(valid, y, 0.0)
    x0 = np.where(valid, x, 0.0) if is_ratio else None
    d = np.where(valid, domain, 0)

    def by_domain(values):
        return np.bincount(d, weights=np.where(valid, values, 0.0), minlength=n_domains)

    n = np.bincount(d, weights=valid.astype(float), minlength=n_domains)
    y_total = by_domain(w * y0)
    if is_ratio:
        x_total = by_domain(w * x0)
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = y_total / x_total
            u = np.where(valid, (y0 - estimate[d] * x0) / x_total[d], 0.0)
    else:
        estimate = y_total
        u = y0
    z = np.bincount(d * n_psus + psu_code, weights=np.where(valid, w * u, 0.0),
                    minlength=n_domains * n_psus).reshape(n_domains, n_psus)
    n_h = np.bincount(psu_stratum)
    return {"w": w, "d": d, "valid": valid, "n": n, "y0": y0, "x0": x0, "estimate": estimate,
            "z": z, "keys": keys, "psu_stratum": psu_stratum, "n_h": n_h,
            "df": n_psus - len(n_h), "f_h": _sampling_fractions(data, stratum, psu_stratum, fpc)}


def _variance(z, lin):
    """Variance from PSU totals ``z`` (one row per domain): their spread within strata."""
    psu_stratum, n_h = lin["psu_stratum"], lin["n_h"]
    z = np.atleast_2d(z)
    stratum_mean = np.stack([np.bincount(psu_stratum, weights=row) for row in z]) / n_h
    squares = (z - stratum_mean[:, psu_stratum]) ** 2
    return squares @ ((1 - lin["f_h"]) * n_h / (n_h - 1))[psu_stratum]


def _sampling_fractions(data, stratum, psu_stratum, fpc):
    """The sampling fraction f_h of each stratum code (zeros when ``fpc`` is None)."""
    n_strata = psu_stratum.max() + 1
    if fpc is None:
        return np.zeros(n_strata)
    labels = pd.unique(data[stratum])  # the order of the stratum codes of `_design`
    shares = {s: fpc for s in labels} if np.isscalar(fpc) else fpc
    missing = [s for s in labels if s not in shares]
    if missing:
        raise KeyError(f"fpc has no sampling fraction for stratum {missing[:3]}; give one share "
                       f"per stratum, e.g. {{{labels[0]!r}: 0.1}}, or one number for all.")
    f_h = np.array([shares[s] for s in labels], dtype=float)
    if ((f_h < 0) | (f_h >= 1)).any():
        raise ValueError("fpc must hold sampling fractions from 0 to below 1 (0.1 for a 10% "
                         "sample of PSUs), not per cent.")
    return f_h


def _check_level(level):
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1, e.g. 0.95 for a 95% interval.")


def proportion_interval(p, se, n, df, *, level: float = 0.95, method: str = "logit"):
    """Confidence interval of a proportion from a sample: (low, high, n_eff), arrays.

    ``p`` the estimates, ``se`` their design-based SEs, ``n`` the records in each denominator,
    ``df`` the design's degrees of freedom (PSUs minus strata). The effective sample size
    ``n_eff`` = p(1-p)/se^2 is the size of a simple random sample as precise as the design;
    it is capped at ``n``, and equals ``n`` where se = 0.

    - "logit": p is carried to the log-odds scale, where the estimate is closer to normal, the
      t interval is built there and carried back, as samplics and R ``survey`` do. It stays
      inside (0, 1); it is undefined (NaN) at p = 0 and p = 1.
    - "korn-graubard": the Clopper-Pearson (exact binomial) interval with the effective sample
      size, adjusted for the degrees of freedom: n* = n_eff (t(n-1) / t(df))^2, x = p n*,
      low = Beta(a/2; x, n*-x+1), high = Beta(1-a/2; x+1, n*-x). Defined at p = 0 and 1.
      NCHS uses it {Korn and Graubard 1998; Parker et al. 2017}.
    - "wald": p +/- t se. Symmetric; it can go below 0 or above 1 for small cells.
    """
    if method not in INTERVALS:
        raise ValueError(f"method={method!r}; choose one of {INTERVALS}.")
    p, se, n = (np.asarray(v, dtype=float) for v in (p, se, n))
    _check_level(level)
    alpha = 1 - level
    t = stdtrit(df, 1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(se > 0, np.minimum(n, p * (1 - p) / se ** 2), n)
        if method == "wald":
            return p - t * se, p + t * se, n_eff
        if method == "logit":
            logit = np.log(p / (1 - p))
            half = t * se / (p * (1 - p))
            inside = (p > 0) & (p < 1)
            low = np.where(inside, 1 / (1 + np.exp(-(logit - half))), np.nan)
            high = np.where(inside, 1 / (1 + np.exp(-(logit + half))), np.nan)
            return low, high, n_eff
        n_star = n_eff * (stdtrit(np.maximum(n - 1, 1), 1 - alpha / 2) / t) ** 2
        x = p * n_star
        low = np.where(x > 0, betaincinv(x, n_star - x + 1, alpha / 2), 0.0)
        high = np.where(x < n_star, betaincinv(x + 1, n_star - x, 1 - alpha / 2), 1.0)
    return low, high, n_eff


def domain_difference(data: pd.DataFrame, variable: str, by, first, second, *,
                      weight: str = "weight", stratum: str = "stratum", psu: str = "psu",
                      level: float = 0.95) -> pd.Series:
    """Difference of the weighted means (or proportions) of two domains, with its SE.

    ``first`` and ``second`` are labels of ``by`` (tuples when ``by`` has several columns). The
    two estimates come from the same sample, so they can be correlated: the variance of the
    difference is var1 + var2 - 2 cov, computed in one step from the PSU totals of the
    difference of the linearised values {Lohr 2022, ch. 9}. Returns ``difference`` (first minus
    second), ``se``, ``ci_low``, ``ci_high`` (Student t), ``covariance``, ``se_if_independent``
    (the SE that ignores the covariance) and ``t`` (difference / se).
    """
    _check_level(level)
    y = _numeric(data, variable, "variable")
    lin = _linearise(data, y, np.where(np.isnan(y), np.nan, 1.0), by, weight, stratum, psu, None)
    keys = lin["keys"]
    for label in (first, second):
        if label not in keys:
            raise KeyError(f"{label!r} is not a domain of by={by!r}; domains are "
                           f"{list(keys)[:6]}.")
    i, j = keys.get_loc(first), keys.get_loc(second)
    z = lin["z"]
    var_i, var_j, var_diff = _variance(np.stack([z[i], z[j], z[i] - z[j]]), lin)
    difference = lin["estimate"][i] - lin["estimate"][j]
    se = np.sqrt(var_diff)
    t = stdtrit(lin["df"], 0.5 + level / 2)
    return pd.Series({"difference": difference, "se": se, "ci_low": difference - t * se,
                      "ci_high": difference + t * se,
                      "covariance": (var_i + var_j - var_diff) / 2,
                      "se_if_independent": np.sqrt(var_i + var_j), "t": difference / se})


# ---------------------------------------------------------------------------------------------
# Publication rules
# ---------------------------------------------------------------------------------------------

def publication_status(table: pd.DataFrame, *, cv_flag: float = 0.15, cv_suppress: float = 0.30,
                       min_n: int = 30) -> pd.Series:
    """Decide for each estimate: "publish", "flag" (low reliability) or "suppress".

    Suppress when the unweighted count ``n`` is below ``min_n``, the ``cv`` is above
    ``cv_suppress``, or the CV is undefined (an estimate of zero); flag when the CV is above
    ``cv_flag``; otherwise publish. ``table`` is the output of an estimate function. Offices use
    rules of this kind with their own thresholds (15% and 30% are common; some use 16.5% and
    33.3%). CV rules suit counts and totals; for proportions the CV of p and of 1 - p differ,
    so see `proportion_status`.
    """
    for column in ("cv", "n"):
        if column not in table.columns:
            raise KeyError(f"table has no column {column!r}; pass the output of weighted_total, "
                           f"weighted_mean, weighted_proportion or indicator_table.")
    if not (0 < cv_flag <= cv_suppress and cv_flag <= 1):
        raise ValueError(f"cv_flag={cv_flag!r} and cv_suppress={cv_suppress!r}: need "
                         f"0 < cv_flag <= cv_suppress and cv_flag <= 1, as shares (0.15 for 15%), not per cent.")
    if min_n < 0:
        raise ValueError(f"min_n={min_n!r} must be 0 or more (a count of sample records).")
    cv = table["cv"]
    status = pd.Series("publish", index=table.index, dtype="str", name="status")
    status[cv > cv_flag] = "flag"
    status[(table["n"] < min_n) | (cv > cv_suppress) | cv.isna()] = "suppress"
    return status


def proportion_status(table: pd.DataFrame, *, min_n_eff: float = 30, max_width: float = 0.30,
                      relative_width: float = 1.30, min_df: int = 8, df: int | None = None) -> pd.Series:
    """Publication decision for proportions by the NCHS standard {Parker et al. 2017}.

    ``table`` is the output of `weighted_proportion` with ``interval="korn-graubard"``.
    Suppress when the effective sample size (or the number of records) is below ``min_n_eff``,
    when the interval is ``max_width`` wide or more, or when it is wider than 0.05 and more than
    ``relative_width`` times the estimate. Flag (for statistical review) an estimate of 0 or 1,
    or one with fewer than ``min_df`` degrees of freedom (``df``, if given). Otherwise publish.
    The rules look at the interval, not the CV, so a share and its complement (p and 1 - p)
    get the same absolute-width decision.
    """
    for column in ("estimate", "ci_low", "ci_high", "n", "n_eff"):
        if column not in table.columns:
            raise KeyError(f"table has no column {column!r}; pass the output of "
                           f"weighted_proportion(..., interval='korn-graubard').")
    p = table["estimate"]
    width = table["ci_high"] - table["ci_low"]
    status = pd.Series("publish", index=table.index, dtype="str", name="status")
    status[(p == 0) | (p == 1) | (df is not None and df < min_df)] = "flag"
    too_wide = (width >= max_width) | ((width > 0.05) & (width > relative_width * p))
    small = (table["n_eff"] < min_n_eff) | (table["n"] < min_n_eff)
    status[too_wide | small] = "suppress"
    return status


def format_estimates(table: pd.DataFrame, status: pd.Series, *, scale: float = 1.0,
                     digits: int = 1, flag_mark: str = "u", suppress_mark: str = ":") -> pd.Series:
    """The estimates as text for a published table, with the marks of ``status``.

    A flagged value gets ``flag_mark`` after it; a suppressed value is replaced by
    ``suppress_mark``. The defaults follow Eurostat ("u" low reliability, ":" not available);
    Statistics Canada, for example, uses "E" and "F". ``scale=100`` shows shares in per cent.
    Numbers are written in the language of :mod:`migstats.show` (12.4, or 12,4 in French).
    """
    if not status.index.equals(table.index):
        raise ValueError("status must have the same index as table; compute it with "
                         "publication_status(table).")
    unknown = set(status) - {"publish", "flag", "suppress"}
    if unknown:
        raise ValueError(f"status holds {sorted(unknown)}; expected 'publish', 'flag' or "
                         f"'suppress' (the output of publication_status).")
    text = (table["estimate"] * scale).map(lambda v: str(show.fmt(v, f",.{digits}f")))
    text[status == "flag"] = text[status == "flag"] + " " + flag_mark
    text[status == "suppress"] = suppress_mark
    return text.rename("shown")


# ---------------------------------------------------------------------------------------------
# The full indicator table
# ---------------------------------------------------------------------------------------------

def indicator_table(data: pd.DataFrame, indicators: dict[str, tuple[str, str | None]], by, *,
                    weight: str = "weight", stratum: str = "stratum", psu: str = "psu",
                    level: float = 0.95, cv_flag: float = 0.15, cv_suppress: float = 0.30,
                    min_n: int = 30) -> pd.DataFrame:
    """A disaggregated indicator table with standard errors, CVs and publication marks.

    ``indicators`` maps a name to ``(kind, column)`` with kind "total", "mean" or "proportion",
    e.g. ``{"Unemployment rate (%)": ("proportion", "unemployed"), "Persons": ("total", None)}``.
    Returns a long table indexed by indicator and the ``by`` columns, with the estimate columns
    of `weighted_total`, ``status`` (`publication_status`) and ``shown`` (`format_estimates`:
    proportions in per cent with one decimal, totals rounded to whole numbers).
    """
    if not isinstance(indicators, dict) or not indicators:
        raise TypeError("indicators must be a non-empty dict such as "
                        "{'Unemployment rate (%)': ('proportion', 'unemployed')}.")
    functions = {"total": weighted_total, "mean": weighted_mean, "proportion": weighted_proportion}
    parts = []
    for name, spec in indicators.items():
        if not (isinstance(spec, tuple) and len(spec) == 2 and spec[0] in KINDS):
            raise ValueError(f"indicators[{name!r}] = {spec!r}; expected (kind, column) with kind "
                             f"one of {KINDS}, e.g. ('proportion', 'unemployed').")
        kind, column = spec
        table = functions[kind](data, column, by, weight=weight, stratum=stratum, psu=psu,
                                level=level)
        table["status"] = publication_status(table, cv_flag=cv_flag, cv_suppress=cv_suppress,
                                             min_n=min_n)
        table["shown"] = format_estimates(table, table["status"],
                                          scale=100 if kind == "proportion" else 1,
                                          digits=0 if kind == "total" else 1)
        parts.append(table)
    return pd.concat(parts, keys=list(indicators), names=["indicator"])


# ---------------------------------------------------------------------------------------------
# Variables used for disaggregation
# ---------------------------------------------------------------------------------------------

def wg_disability(data: pd.DataFrame, cutoff: int = 3, columns: list[str] = WG_COLUMNS) -> pd.Series:
    """Disability status by the Washington Group short set (WG-SS) {Washington Group 2020}.

    True when at least one of the six domains is answered at ``cutoff`` or worse (answers: 1 no
    difficulty, 2 some, 3 a lot, 4 cannot do at all). The recommended cut-off is 3 ("a lot of
    difficulty"). Missing when no domain reaches the cut-off and any answer is missing (for
    example, children under 5, who are not asked). The WG-SS is meant for ages 5 and over; for
    children the WG and UNICEF recommend the Child Functioning Module. Returns a nullable
    boolean Series.
    """
    if cutoff not in (2, 3, 4):
        raise ValueError(f"cutoff={cutoff!r} must be 2, 3 or 4; the WG recommends 3 "
                         f"('a lot of difficulty' or worse).")
    _require(data, columns, "columns")
    answers = data[list(columns)]
    reached = (answers >= cutoff).fillna(False).any(axis=1)
    result = reached.astype("boolean")
    result[~reached & answers.isna().any(axis=1)] = pd.NA
    return result.rename("disability")


def age_group(age: pd.Series, width: int = 5, top: int = 85) -> pd.Series:
    """Age in completed years grouped into ordered classes "0-4", "5-9", ..., "85+".

    ``top`` starts the open last class and must be a multiple of ``width``.
    """
    if width < 1 or top < width or top % width:
        raise ValueError(f"width={width!r}, top={top!r}: need width >= 1 and top a multiple of "
                         f"width, e.g. width=5, top=85.")
    if (age.dropna() < 0).any():
        raise ValueError("age has negative values; ages must be completed years, 0 or more.")
    starts = list(range(0, top, width))
    labels = [f"{s}-{s + width - 1}" for s in starts] + [f"{top}+"]
    return pd.cut(age, bins=starts + [top, np.inf], right=False, labels=labels).rename("age_group")


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------

def _check_frame(data) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}.")
    if data.empty:
        raise ValueError("data has no rows; check the filter you applied before.")
    return data


def _require(data, columns, argument) -> None:
    missing = [c for c in columns if c not in _check_frame(data).columns]
    if missing:
        raise KeyError(f"{argument}: column(s) {missing} not in data. Columns are: "
                       f"{list(data.columns)}.")


def _numeric(data, column, argument) -> np.ndarray:
    """The column as floats, NaN where missing; True/False become 1/0."""
    if not isinstance(column, str):
        raise TypeError(f"{argument} must be a column name (a string), not "
                        f"{type(column).__name__}. Fix: add the values as a column with "
                        f"data.assign(name=...) and pass 'name'.")
    _require(data, [column], argument)
    values = data[column]
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("Float64")
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise TypeError(f"{argument}={column!r} has type {values.dtype}; it needs numbers or "
                        f"True/False. Fix: build a numeric column, e.g. "
                        f"(data[{column!r}] == 'some value').astype(int).")
    return values.to_numpy(dtype=float, na_value=np.nan)


def _design(data, weight, stratum, psu):
    """Weights, a PSU code per record (0..P-1) and the stratum code of each PSU (0..H-1)."""
    _require(data, [weight, stratum, psu], "weight/stratum/psu")
    w = _numeric(data, weight, "weight")
    if np.isnan(w).any() or (w <= 0).any():
        raise ValueError(f"weight={weight!r} must be positive with no missing values; "
                         f"{int((np.isnan(w) | (w <= 0)).sum())} record(s) are not.")
    design = data[[stratum, psu]]
    if design.isna().any().any():
        raise ValueError(f"stratum={stratum!r} and psu={psu!r} must have no missing values.")
    # A PSU is a (stratum, psu) pair, so PSU numbers may restart in each stratum. Codes follow
    # the order of first appearance (pd.factorize), for strata and PSUs alike.
    record_stratum, stratum_keys = pd.factorize(design[stratum])
    record_psu, psu_labels = pd.factorize(design[psu])
    psu_code, pairs = pd.factorize(record_stratum * len(psu_labels) + record_psu)
    stratum_code = pairs // len(psu_labels)
    n_h = np.bincount(stratum_code)
    if (n_h < 2).any():
        lonely = list(stratum_keys[n_h < 2])
        raise ValueError(f"stratum {lonely} has only one PSU, so its variance cannot be "
                         f"estimated. Fix: merge it with a similar stratum (collapse strata) "
                         f"before estimating.")
    return w, psu_code, stratum_code


def _domains(data, by):
    """A domain code per record (-1 when a ``by`` value is missing) and the domain labels."""
    if by is None:
        return np.zeros(len(data), dtype=int), pd.Index(["all"], name="domain")
    columns = [by] if isinstance(by, str) else list(by)
    _require(data, columns, "by")
    groups = data.groupby(columns, observed=True, dropna=True, sort=True)
    keys = groups.size().index
    return groups.ngroup().fillna(-1).to_numpy(dtype=int), keys
