"""Tests of migstats.disaggregation: estimates, standard errors, publication rules, variables.

Standard errors are checked against independent references: a hand computation of the textbook
formula (Wolter 2007, ch. 6; Lohr 2022, ch. 9) written out below, and the samplics package.
"""

import json
import math
import re
import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import migstats.disaggregation as dg

# A tiny stratified cluster sample: 2 strata, 5 PSUs (3 + 2), 8 persons.
TINY = pd.DataFrame({
    "stratum": [1, 1, 1, 1, 1, 2, 2, 2],
    "psu":     [1, 1, 2, 3, 3, 4, 4, 5],
    "weight":  [10, 10, 10, 10, 10, 20, 20, 20],
    "y":       [2, 4, 3, 5, 1, 1, 2, 4],
    "migrant": [1, 0, 0, 1, 0, 1, 1, 0],
})


def test_total_matches_hand_computation():
    # PSU totals of w*y: stratum 1: 60, 30, 60 (mean 50); stratum 2: 60, 80 (mean 70).
    # var = 3/2 * (10^2 + 20^2 + 10^2) + 2/1 * (10^2 + 10^2) = 900 + 400 = 1300.
    result = dg.weighted_total(TINY, "y")
    assert result.loc["all", "estimate"] == pytest.approx(290)
    assert result.loc["all", "se"] == pytest.approx(math.sqrt(1300))
    assert result.loc["all", "cv"] == pytest.approx(math.sqrt(1300) / 290)
    assert result.loc["all", "n"] == 8


def test_mean_matches_hand_computation():
    # R = 290 / 110. PSU totals of w*(y - R)/110, from the PSU totals of w*y and of w.
    r = Fraction(290, 110)
    z = {1: [(60, 20), (30, 10), (60, 20)], 2: [(60, 40), (80, 20)]}
    variance = Fraction(0)
    for psus in z.values():
        values = [(wy - r * w) / 110 for wy, w in psus]
        mean = sum(values) / len(values)
        variance += Fraction(len(values), len(values) - 1) * sum((v - mean) ** 2 for v in values)
    result = dg.weighted_mean(TINY, "y")
    assert result.loc["all", "estimate"] == pytest.approx(float(r))
    assert result.loc["all", "se"] == pytest.approx(math.sqrt(variance))
    # 95% interval with Student t on PSUs - strata = 3 degrees of freedom.
    half = stats.t.ppf(0.975, 3) * math.sqrt(variance)
    assert result.loc["all", "ci_low"] == pytest.approx(float(r) - half)
    assert result.loc["all", "ci_high"] == pytest.approx(float(r) + half)


def test_domain_total_keeps_every_psu():
    # Migrants' total of y: PSU totals 20, 0, 50 | 60, 0. Stratum means 70/3 and 30.
    # PSU 2 and 5 have no migrant but still count (subpopulation estimation).
    s1 = [20, 0, 50]
    m1 = sum(s1) / 3
    var = 3 / 2 * sum((v - m1) ** 2 for v in s1) + 2 * ((60 - 30) ** 2 + (0 - 30) ** 2)
    result = dg.weighted_total(TINY, "y", by="migrant")
    assert result.loc[1, "estimate"] == pytest.approx(130)
    assert result.loc[1, "se"] == pytest.approx(math.sqrt(var))
    assert result.loc[1, "n"] == 4


def test_person_count_when_variable_is_none():
    result = dg.weighted_total(TINY, by="migrant")
    assert result["estimate"].to_dict() == pytest.approx({0: 50, 1: 60})


def test_deff_is_one_under_simple_random_sampling():
    # One stratum, each person its own PSU, equal weights: the design is SRS with replacement.
    rng = np.random.default_rng(1)
    srs = pd.DataFrame({"stratum": 1, "psu": range(50), "weight": 4.0,
                        "y": rng.normal(10, 2, 50), "b": rng.integers(0, 2, 50)})
    assert dg.weighted_mean(srs, "y").loc["all", "deff"] == pytest.approx(1)
    assert dg.weighted_proportion(srs, "b").loc["all", "deff"] == pytest.approx(1)
    assert dg.weighted_total(srs, "y").loc["all", "deff"] == pytest.approx(1)
    # No design effect when the values do not vary.
    assert np.isnan(dg.weighted_total(srs).loc["all", "deff"])
    # SE of a proportion under SRS with replacement: sqrt(p(1-p)/(n-1)).
    p = srs["b"].mean()
    assert dg.weighted_proportion(srs, "b").loc["all", "se"] == pytest.approx(
        math.sqrt(p * (1 - p) / 49))


def test_design_effect_by_hand():
    # Kish's deff = var_design / var_SRS, var_SRS the variance of the same estimate from a simple
    # random sample (with replacement) of the n records: W^2 s^2 / n for a total, s^2 the
    # weighted variance over the whole sample of y times the domain indicator; s_e^2 / (n xbar^2)
    # for a ratio, s_e^2 the weighted variance of e = y - R x in the domain, xbar = X / W
    # (Kish 1965; Cochran 1977, 6.9). s^2 = sum w (v - vbar)^2 / W * n / (n - 1).
    # TINY: W = 110, n = 8, sum w y = 290, sum w y^2 = 10 (4 + 16 + 9 + 25 + 1) + 20 (1 + 4 + 16) = 970.
    # Total of y: var_design = 1300 (test_total_matches_hand_computation);
    # s^2 = (970/110 - (290/110)^2) * 8/7 = 22600/12100 * 8/7, var_SRS = 110^2 s^2 / 8 = 22600/7.
    assert dg.weighted_total(TINY, "y").loc["all", "deff"] == pytest.approx(1300 / (22600 / 7))
    # Migrants' total: sum w y = 130, sum w y^2 = 10*4 + 10*25 + 20*1 + 20*4 = 390; var_design =
    # 3/2 * 11400/9 + 2 * 1800 = 5500 (test_domain_total_keeps_every_psu);
    # s^2 = (390/110 - (130/110)^2) * 8/7 = 26000/12100 * 8/7, var_SRS = 26000/7.
    domain_total = dg.weighted_total(TINY, "y", by="migrant")
    assert domain_total.loc[1, "deff"] == pytest.approx(5500 / (26000 / 7))
    # Migrants' mean: R = 130/60 = 13/6, n = 4, W = 60. PSU totals of w (y - R) / 60: stratum 1
    # -1/36, 0, 17/36 (mean 4/27), stratum 2 -4/9, 0 (mean -2/9); var_design = 3/2 ((19/108)^2 +
    # (16/108)^2 + (35/108)^2) + 2 * 2 (2/9)^2 = 5067/11664. sum w (y - R)^2 = 390 - 60 R^2 =
    # 325/3, s^2 = 325/3 / 60 * 4/3 = 65/27, var_SRS = s^2 / 4 = 65/108.
    domain_mean = dg.weighted_mean(TINY, "y", by="migrant")
    assert domain_mean.loc[1, "se"] ** 2 == pytest.approx(5067 / 11664)
    assert domain_mean.loc[1, "deff"] == pytest.approx((5067 / 11664) / (65 / 108))
    # Share of migrants: p = 60/110 = 6/11. PSU totals of w (m - p) / 110, times 121: -1, -6, -1
    # (mean -8/3) and 20, -12 (mean 4); var_design = (3/2 * 150/9 + 2 * 2 * 16^2) / 121^2 =
    # 1049/14641. s^2 = p (1 - p) * 8/7, var_SRS = p (1 - p) / 7 = 30/847.
    share = dg.weighted_proportion(TINY, "migrant")
    assert share.loc["all", "deff"] == pytest.approx((1049 / 14641) / (30 / 847))
    # Ratio of y to x = 1, 2, 1, 2, ...: X = 170, R = 29/17, 17 e = 5, 10, 22, 27, -12, -41, 5, 10.
    # PSU totals of w e / X, times 289: 15, 22, 15 (mean 52/3) and -72, 20 (mean -26);
    # var_design = (3/2 * 294/9 + 2 * 2 * 46^2) / 289^2 = 8513/83521. sum w e^2 =
    # (10 * 1482 + 20 * 1806) / 289 = 50940/289, s_e^2 = 50940/289 / 110 * 8/7,
    # var_SRS = s_e^2 / (8 (170/110)^2).
    ratio = dg.weighted_ratio(TINY.assign(x=[1, 2, 1, 2, 1, 2, 1, 2]), "y", "x")
    var_srs = 50940 / 289 / 110 * 8 / 7 / (8 * (170 / 110) ** 2)
    assert ratio.loc["all", "se"] ** 2 == pytest.approx(8513 / 83521)
    assert ratio.loc["all", "deff"] == pytest.approx((8513 / 83521) / var_srs)


@pytest.fixture(scope="module")
def design_sample():
    rng = np.random.default_rng(7)
    n = 800
    frame = pd.DataFrame({
        "stratum": rng.integers(1, 5, n),
        "w": rng.uniform(1, 9, n),
        "group": rng.choice(["born abroad", "born here"], n, p=[0.2, 0.8]),
        "sex": rng.choice(["female", "male"], n),
        "y": rng.gamma(2, 3, n),
        "x": rng.gamma(3, 1, n),
        "b": (rng.random(n) < 0.3).astype(int),
    })
    frame["psu"] = frame["stratum"] * 100 + rng.integers(0, 6, n)
    frame["domain"] = frame["group"] + " / " + frame["sex"]
    return frame


# samplics runs in a process of its own: it uses polars, whose threads do not survive a fork,
# and mutation testing (make mutation) forks the test process for every mutant.
SAMPLICS = r"""
import json, sys, warnings
import pandas as pd
warnings.simplefilter("ignore")  # samplics warns that it is archived
from samplics.estimation import TaylorEstimator
from samplics.utils.types import PopParam

frame = pd.read_csv(sys.stdin)
shares = {int(h): f for h, f in json.loads(sys.argv[1]).items()}
design = dict(samp_weight=frame["w"], stratum=frame["stratum"], psu=frame["psu"])
FIELDS = ("point_est", "stderror", "coef_var", "lower_ci", "upper_ci")


def run(param, y, **extra):
    estimator = TaylorEstimator(param)
    estimator.estimate(y=frame[y], **design, **extra)
    return estimator


out = {}
for kind, param, y, x in [("total", PopParam.total, "y", None), ("mean", PopParam.mean, "y", None),
                          ("proportion", PopParam.mean, "b", None), ("ratio", PopParam.ratio, "y", "x")]:
    r = run(param, y, x=frame[x] if x else None, domain=frame["domain"])
    out[kind] = {f: {k: float(v) for k, v in getattr(r, f).items()} for f in FIELDS}
r = run(PopParam.prop, "b", domain=frame["domain"])  # the interval on the log-odds scale
out["logit"] = {f: {k: float(v[1]) for k, v in getattr(r, f).items()} for f in FIELDS}
out["fpc_se"] = float(run(PopParam.mean, "y", fpc={h: 1 - f for h, f in shares.items()}).stderror)
json.dump(out, sys.stdout)
"""
FPC_SHARES = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.0}


@pytest.fixture(scope="module")
def samplics(design_sample):
    """samplics' estimates on the design sample: {kind: {field: {domain: value}}, "fpc_se": se}."""
    done = subprocess.run([sys.executable, "-c", SAMPLICS, json.dumps(FPC_SHARES)], text=True,
                          input=design_sample.to_csv(index=False, float_format="%.17g"),
                          capture_output=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("kind", ["total", "mean", "proportion", "ratio"])
def test_matches_samplics(design_sample, samplics, kind):
    frame, reference = design_sample, samplics[kind]
    design = dict(by=["group", "sex"], weight="w")
    ours = {"total": lambda: dg.weighted_total(frame, "y", **design),
            "mean": lambda: dg.weighted_mean(frame, "y", **design),
            "proportion": lambda: dg.weighted_proportion(frame, "b", **design),
            "ratio": lambda: dg.weighted_ratio(frame, "y", "x", **design)}[kind]()
    assert len(ours) == len(reference["point_est"]) == 4
    for (group, sex), row in ours.iterrows():
        key = f"{group} / {sex}"
        assert row["estimate"] == pytest.approx(reference["point_est"][key], rel=1e-9)
        assert row["se"] == pytest.approx(reference["stderror"][key], rel=1e-9)
        assert row["cv"] == pytest.approx(reference["coef_var"][key], rel=1e-9)
        if kind != "proportion":  # proportions get a logit interval: see the test below
            assert row["ci_low"] == pytest.approx(reference["lower_ci"][key], rel=1e-9)
            assert row["ci_high"] == pytest.approx(reference["upper_ci"][key], rel=1e-9)


def test_logit_interval_matches_samplics(design_sample, samplics):
    # samplics builds the interval of a proportion on the log-odds scale, with Student t.
    reference = samplics["logit"]
    ours = dg.weighted_proportion(design_sample, "b", by=["group", "sex"], weight="w")
    for (group, sex), row in ours.iterrows():
        key = f"{group} / {sex}"
        assert row["estimate"] == pytest.approx(reference["point_est"][key], rel=1e-9)
        assert row["se"] == pytest.approx(reference["stderror"][key], rel=1e-9)
        assert row["cv"] == pytest.approx(reference["coef_var"][key], rel=1e-9)
        assert row["ci_low"] == pytest.approx(reference["lower_ci"][key], rel=1e-9)
        assert row["ci_high"] == pytest.approx(reference["upper_ci"][key], rel=1e-9)
        assert row["ci_low"] > 0 and row["ci_high"] < 1


def test_finite_population_correction_matches_samplics(design_sample, samplics):
    frame = design_sample
    ours = dg.weighted_mean(frame, "y", weight="w", fpc=FPC_SHARES).loc["all"]
    assert ours["se"] == pytest.approx(samplics["fpc_se"], rel=1e-9)
    without = dg.weighted_mean(frame, "y", weight="w").loc["all", "se"]
    assert ours["se"] < without
    # One number applies to every stratum: the variance shrinks by exactly 1 - f.
    assert dg.weighted_mean(frame, "y", weight="w", fpc=0.2).loc["all", "se"] == pytest.approx(
        without * math.sqrt(0.8))
    with pytest.raises(ValueError, match="not per cent"):
        dg.weighted_mean(frame, "y", weight="w", fpc=10)
    with pytest.raises(KeyError, match="stratum"):
        dg.weighted_mean(frame, "y", weight="w", fpc={1: 0.1})


@pytest.mark.parametrize("p, se, n, df", [(0.12, 0.03, 400, 20),
                                          (0.5, 0.3, 2, 10)])  # n_eff capped at n = 2: t with 1 df
def test_korn_graubard_matches_clopper_pearson_with_effective_size(p, se, n, df):
    # Hand computation (Korn and Graubard 1998; Parker et al. 2017): n_eff = p(1-p)/se^2 (at most
    # n), n* = n_eff (t_{n-1} / t_df)^2, then the exact binomial (Clopper-Pearson) interval of
    # x = p n* successes in n* trials, here from statsmodels.
    proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint
    n_eff = min(n, p * (1 - p) / se ** 2)
    n_star = n_eff * (stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, df)) ** 2
    low, high = proportion_confint(p * n_star, n_star, alpha=0.05, method="beta")
    ours = dg.proportion_interval([p], [se], [n], df, method="korn-graubard")
    assert ours[0][0] == pytest.approx(low, rel=1e-9)
    assert ours[1][0] == pytest.approx(high, rel=1e-9)
    assert ours[2][0] == pytest.approx(n_eff)


def test_intervals_at_zero_and_for_small_cells():
    # p = 0: no variance, n_eff = n; Clopper-Pearson upper bound 1 - (a/2)^(1/n*) in closed form.
    n, df = 40, 30
    low, high, n_eff = dg.proportion_interval([0.0], [0.0], [n], df, method="korn-graubard")
    n_star = n * (stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, df)) ** 2
    assert low[0] == 0 and high[0] == pytest.approx(1 - 0.025 ** (1 / n_star))
    assert n_eff[0] == n
    low, high, _ = dg.proportion_interval([0.0], [0.0], [n], df, method="logit")
    assert np.isnan(low[0]) and np.isnan(high[0])   # undefined, not a zero-width interval
    # A small share with a large SE: Wald goes below zero, logit and Korn-Graubard do not.
    args = ([0.04], [0.03], [50], 30)
    assert dg.proportion_interval(*args, method="wald")[0][0] < 0
    for method in ("logit", "korn-graubard"):
        low, high, _ = dg.proportion_interval(*args, method=method)
        assert 0 <= low[0] < 0.04 < high[0] < 1
    with pytest.raises(ValueError, match="korn-graubard"):
        dg.proportion_interval(*args, method="exact")


def test_proportion_status_follows_nchs_rules():
    # Rows: fine; n_eff < 30; width >= 0.30; width 0.05-0.30 and relative width > 130%;
    # p = 0 (flag); width <= 0.05 with relative width > 130% (published: the rule needs > 0.05).
    table = pd.DataFrame({"estimate": [0.30, 0.30, 0.50, 0.03, 0.0, 0.01],
                          "ci_low": [0.25, 0.25, 0.30, 0.01, 0.0, 0.002],
                          "ci_high": [0.35, 0.35, 0.62, 0.10, 0.04, 0.03],
                          "n": [500, 500, 500, 500, 500, 500],
                          "n_eff": [200, 29, 200, 200, 500, 200]})
    assert dg.proportion_status(table).tolist() == ["publish", "suppress", "suppress",
                                                    "suppress", "flag", "publish"]
    assert (dg.proportion_status(table.iloc[[0]], df=7) == "flag").all()
    with pytest.raises(KeyError, match="korn-graubard"):
        dg.proportion_status(table.drop(columns="n_eff"))


def test_domain_difference_matches_hand_computation():
    # Migrants (1) minus others (0) in TINY: means R1 = 130/60, R0 = 160/50. Linearised values
    # u = w (y - R) / W of each domain, PSU totals z1, z0; var = sum_h n_h/(n_h-1) sum (d - mean)^2
    # with d = z1 - z0, and cov from the cross products.
    frame = TINY.assign(y=TINY["y"].astype(float))
    r = {1: 130 / 60, 0: 160 / 50}
    w_total = {1: 60, 0: 50}
    z = {m: frame.assign(u=np.where(frame["migrant"] == m,
                                    frame["weight"] * (frame["y"] - r[m]) / w_total[m], 0.0))
         .groupby(["stratum", "psu"])["u"].sum() for m in (0, 1)}

    def spread(a, b):
        total = 0.0
        for h in (1, 2):
            a_h, b_h = a.loc[h], b.loc[h]
            total += len(a_h) / (len(a_h) - 1) * ((a_h - a_h.mean()) * (b_h - b_h.mean())).sum()
        return total

    var1, var0, cov = spread(z[1], z[1]), spread(z[0], z[0]), spread(z[1], z[0])
    result = dg.domain_difference(frame, "y", "migrant", 1, 0)
    assert result["difference"] == pytest.approx(r[1] - r[0])
    assert result["se"] == pytest.approx(math.sqrt(var1 + var0 - 2 * cov))
    assert result["covariance"] == pytest.approx(cov)
    assert result["se_if_independent"] == pytest.approx(math.sqrt(var1 + var0))
    separate = dg.weighted_mean(frame, "y", by="migrant")["se"]
    assert result["se_if_independent"] == pytest.approx(math.hypot(*separate))
    with pytest.raises(KeyError, match="not a domain"):
        dg.domain_difference(frame, "y", "migrant", 1, 2)


def test_missing_values_leave_the_denominator(design_sample):
    # A proportion with missing values equals the proportion in the subpopulation with values.
    frame = design_sample.assign(b_sub=design_sample["b"].where(design_sample["x"] > 2))
    frame["in_sub"] = (frame["x"] > 2).astype(int)
    subset = frame[frame["x"] > 2]
    expected = (subset["w"] * subset["b"]).sum() / subset["w"].sum()
    result = dg.weighted_proportion(frame, "b_sub", weight="w")
    assert result.loc["all", "estimate"] == pytest.approx(expected)
    assert result.loc["all", "n"] == len(subset)
    # ... and equals the ratio of the two totals (same estimator, same standard error).
    frame["b_and_sub"] = frame["b"] * frame["in_sub"]
    ratio = dg.weighted_ratio(frame, "b_and_sub", "in_sub", weight="w")
    assert result.loc["all", "se"] == pytest.approx(ratio.loc["all", "se"])


def test_boolean_and_nullable_variables(design_sample):
    frame = design_sample.assign(flag=design_sample["b"] == 1)
    frame["flag_na"] = frame["flag"].astype("boolean").where(frame["x"] > 2)
    as_int = dg.weighted_proportion(frame, "b", weight="w")
    as_bool = dg.weighted_proportion(frame, "flag", weight="w")
    assert as_bool.loc["all", "estimate"] == pytest.approx(as_int.loc["all", "estimate"])
    assert dg.weighted_proportion(frame, "flag_na", weight="w").loc["all", "n"] == (frame["x"] > 2).sum()


def test_missing_by_value_is_left_out():
    frame = TINY.assign(group=pd.Series(["a", "a", None, "b", "b", "a", "b", "b"], dtype="str"))
    result = dg.weighted_total(frame, by="group")
    assert set(result.index) == {"a", "b"}
    assert result["n"].sum() == 7


def test_psu_numbers_may_restart_in_each_stratum():
    renumbered = TINY.assign(psu=[1, 1, 2, 3, 3, 1, 1, 2])
    assert dg.weighted_total(renumbered, "y").loc["all", "se"] == pytest.approx(math.sqrt(1300))


# --- bad input --------------------------------------------------------------------------------

def test_bad_input_gives_clear_errors():
    with pytest.raises(KeyError, match="'income'"):
        dg.weighted_mean(TINY, "income")
    with pytest.raises(KeyError, match="weight/stratum/psu"):
        dg.weighted_mean(TINY, "y", weight="wgt")
    with pytest.raises(ValueError, match="only one PSU"):
        dg.weighted_mean(TINY[TINY["psu"] != 5], "y")
    with pytest.raises(ValueError, match="positive"):
        dg.weighted_mean(TINY.assign(weight=[10, 0, 10, 10, 10, 20, 20, 20]), "y")
    with pytest.raises(ValueError, match="only 1/0"):
        dg.weighted_proportion(TINY, "y")
    with pytest.raises(TypeError, match="numbers or True/False"):
        dg.weighted_mean(TINY.assign(s=pd.Series(list("abcdefgh"), dtype="str")), "s")
    with pytest.raises(TypeError, match="column name"):
        dg.weighted_mean(TINY, TINY["y"])
    with pytest.raises(ValueError, match="level"):
        dg.weighted_mean(TINY, "y", level=95)
    with pytest.raises(TypeError, match="DataFrame"):
        dg.weighted_total([1, 2, 3])
    with pytest.raises(ValueError, match="no rows"):
        dg.weighted_total(TINY.iloc[:0])


# --- publication rules --------------------------------------------------------------------------

def test_publication_status_rules():
    table = pd.DataFrame({"estimate": [10.0, 10.0, 10.0, 10.0, 0.0, 10.0],
                          "cv": [0.05, 0.15, 0.20, 0.31, np.nan, 0.05],
                          "n": [100, 100, 100, 100, 100, 29]})
    status = dg.publication_status(table)
    assert status.tolist() == ["publish", "publish", "flag", "suppress", "suppress", "suppress"]
    loose = dg.publication_status(table, cv_flag=0.25, cv_suppress=0.5, min_n=20)
    assert loose.tolist() == ["publish", "publish", "publish", "flag", "suppress", "publish"]


def test_publication_status_bad_input():
    table = pd.DataFrame({"cv": [0.1], "n": [50]})
    with pytest.raises(ValueError, match="not per cent"):
        dg.publication_status(table, cv_flag=15, cv_suppress=30)
    with pytest.raises(ValueError, match="cv_flag <= cv_suppress"):
        dg.publication_status(table, cv_flag=0.3, cv_suppress=0.2)
    with pytest.raises(KeyError, match="'n'"):
        dg.publication_status(table[["cv"]])


def test_format_estimates_marks():
    table = pd.DataFrame({"estimate": [0.1234, 0.5, 0.02]})
    status = pd.Series(["publish", "flag", "suppress"])
    shown = dg.format_estimates(table, status, scale=100)
    assert shown.tolist() == ["12.3", "50.0 u", ":"]
    shown = dg.format_estimates(table, status, flag_mark="E", suppress_mark="F", digits=0)
    assert shown.tolist() == ["0", "0 E", "F"]
    with pytest.raises(ValueError, match="publication_status"):
        dg.format_estimates(table, pd.Series(["ok", "ok", "ok"]))


def test_indicator_table(design_sample):
    frame = design_sample
    table = dg.indicator_table(frame, {"Share b (%)": ("proportion", "b"),
                                       "Mean y": ("mean", "y"),
                                       "Persons": ("total", None)},
                               by=["group", "sex"], weight="w", min_n=100)
    assert table.index.names == ["indicator", "group", "sex"]
    assert len(table) == 12
    assert {"estimate", "se", "cv", "n", "status", "shown"} <= set(table.columns)
    share = table.loc["Share b (%)"]
    groups = frame.groupby(["group", "sex"])  # by hand: sum(w * b) / sum(w), and sum(w)
    direct = groups.apply(lambda g: (g["w"] * g["b"]).sum() / g["w"].sum())
    assert share["estimate"].to_numpy() == pytest.approx(direct.to_numpy())
    small = share["n"] < 100
    assert small.any() and (share.loc[small, "shown"] == ":").all()
    big = (groups.size() >= 100).to_numpy()  # min_n=100; the big cells have CVs under 0.15
    assert share["shown"].tolist() == [f"{v:.1%}"[:-1] if b else ":" for v, b in zip(direct, big)]
    persons = table.loc["Persons", "shown"].tolist()
    assert persons == [f"{v:,.0f}" if b else ":" for v, b in zip(groups["w"].sum(), big)]
    with pytest.raises(ValueError, match="kind"):
        dg.indicator_table(frame, {"x": ("median", "y")}, by="sex", weight="w")
    with pytest.raises(TypeError, match="non-empty dict"):
        dg.indicator_table(frame, [], by="sex", weight="w")


# --- variables ------------------------------------------------------------------------------

def test_wg_disability_cutoff():
    answers = pd.DataFrame({c: [1, 1, 1, np.nan, 1, np.nan] for c in dg.WG_COLUMNS})
    answers.loc[1, "wg_walking"] = 3       # a lot of difficulty: disability
    answers.loc[2, "wg_hearing"] = 2       # some difficulty only: no disability at cut-off 3
    answers.loc[4, "wg_selfcare"] = 4      # cannot do at all
    answers.loc[5, "wg_seeing"] = 3        # one answer, a lot of difficulty: disability
    result = dg.wg_disability(answers)
    assert result.tolist()[:3] == [False, True, False]
    assert result.isna().tolist() == [False, False, False, True, False, False]
    assert bool(result[4]) and bool(result[5])
    assert dg.wg_disability(answers, cutoff=2).tolist()[2]
    with pytest.raises(ValueError, match="cutoff"):
        dg.wg_disability(answers, cutoff=5)
    with pytest.raises(KeyError, match="wg_seeing"):
        dg.wg_disability(answers.drop(columns="wg_seeing"))


def test_age_group():
    groups = dg.age_group(pd.Series([0, 4, 5, 84, 85, 100]))
    assert groups.astype(str).tolist() == ["0-4", "0-4", "5-9", "80-84", "85+", "85+"]
    assert groups.cat.ordered and len(groups.cat.categories) == 18
    with pytest.raises(ValueError, match="multiple"):
        dg.age_group(pd.Series([1]), width=10, top=85)


# --- exact outputs and limits (found by mutation testing) ----------------------------------------

def test_domain_difference_interval_and_labels_by_hand():
    # TINY has 2 strata and 5 PSUs: df = 5 - 2 = 3. The 90% interval is difference +- t(0.95; 3) se.
    frame = TINY.assign(y=TINY["y"].astype(float))
    result = dg.domain_difference(frame, "y", "migrant", 1, 0, level=0.9)
    assert list(result.index) == ["difference", "se", "ci_low", "ci_high", "covariance",
                                  "se_if_independent", "t"]
    half = 2.3533634 * result["se"]  # t quantile, 3 degrees of freedom (statistical tables)
    assert result["ci_low"] == pytest.approx(result["difference"] - half)
    assert result["ci_high"] == pytest.approx(result["difference"] + half)
    assert result["t"] == pytest.approx(result["difference"] / result["se"])
    assert result["difference"] == pytest.approx(130 / 60 - 160 / 50)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.5])
def test_a_level_must_lie_strictly_between_0_and_1(level):
    frame = TINY.assign(y=TINY["y"].astype(float))
    with pytest.raises(ValueError, match=f"level={level!r} must be between 0 and 1"):
        dg.weighted_mean(frame, "y", level=level)
    with pytest.raises(ValueError, match=f"level={level!r} must be between 0 and 1"):
        dg.domain_difference(frame, "y", "migrant", 1, 0, level=level)
    with pytest.raises(ValueError, match=f"level={level!r} must be between 0 and 1"):
        dg.proportion_interval(0.3, 0.05, 100, 30, level=level)


def test_domain_difference_names_a_wrong_variable():
    with pytest.raises(KeyError, match="^.variable: column"):  # KeyError quotes its message
        dg.domain_difference(TINY, "no_such_column", "migrant", 1, 0)


def test_no_numpy_warnings_for_constant_or_zero_domains():
    # A domain where everybody has the same value (no design effect) and one whose estimate is
    # 0 (no CV): the table says NaN, quietly; a lesson shows no RuntimeWarning.
    frame = TINY.assign(y=np.where(TINY["migrant"] == 1, 0.0, 3.0), x=1.0, b=(TINY["migrant"] == 0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = dg.weighted_mean(frame, "y", by="migrant")
        ratio = dg.weighted_ratio(frame, "y", "x", by="migrant")
        total = dg.weighted_total(frame, "y", by="migrant")
    assert np.isnan(mean.loc[1, "cv"]) and np.isnan(mean["deff"]).all()
    assert np.isnan(ratio.loc[1, "cv"]) and np.isnan(ratio["deff"]).all() and np.isnan(total.loc[1, "cv"])


def test_counts_are_whole_numbers_and_proportions_carry_their_effective_size():
    frame = TINY.assign(b=(TINY["y"] > 2).astype(int))
    table = dg.weighted_proportion(frame, "b", by="migrant")
    assert table["n"].dtype.kind == "i" and list(table["n"]) == [4, 4]
    assert "n_eff" in table.columns and (table["n_eff"] > 0).all()
    wider, narrower = (dg.weighted_proportion(frame, "b", by="migrant", level=lv) for lv in (0.95, 0.8))
    assert ((wider["ci_high"] - wider["ci_low"]) > (narrower["ci_high"] - narrower["ci_low"])).all()


def test_nchs_rules_at_their_limits():
    # Each row sits on one limit of the NCHS standard (Parker et al. 2017), defaults first.
    table = pd.DataFrame({
        "estimate": [0.5, 0.1, 0.03125, 1.0, 0.5, 0.5],
        "ci_low":   [0.4, 0.0, 0.0, 1.0, 0.4, 0.4],
        "ci_high":  [0.6, 0.2, 0.05, 1.0, 0.6, 0.6],
        "n":        [100, 100, 100, 100, 30, 100],
        "n_eff":    [30.0, 100, 100, 100, 50, 29.9]})
    status = dg.proportion_status(table)
    assert status.name == "status"
    assert list(status) == [
        "publish",   # n_eff exactly 30 is enough
        "suppress",  # 0.2 wide: more than 0.05 and more than 130% of 0.1
        "publish",   # exactly 0.05 wide: the relative rule starts above 0.05
        "flag",      # an estimate of 1
        "publish",   # exactly 30 records are enough
        "suppress"]  # effective size below 30
    one = table.iloc[[0]]
    assert list(dg.proportion_status(one, df=8)) == ["publish"]  # 8 degrees of freedom are enough
    assert list(dg.proportion_status(one, df=7)) == ["flag"]
    exact = pd.DataFrame({"estimate": [0.4], "ci_low": [0.25], "ci_high": [0.5], "n": [100], "n_eff": [100.0]})
    assert list(dg.proportion_status(exact, max_width=0.25)) == ["suppress"]  # as wide as the limit
    relative = pd.DataFrame({"estimate": [0.0625], "ci_low": [0.0], "ci_high": [0.125], "n": [100], "n_eff": [100.0]})
    assert list(dg.proportion_status(relative, relative_width=2)) == ["publish"]  # exactly 2 p wide


def test_proportion_intervals_at_0_and_1_by_hand():
    p, se, n = np.array([0.0, 0.01, 0.5, 1.0]), np.array([0.0, 0.014, 0.1, 0.0]), np.array([50, 50, 50, 50])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) and 0/0 stay quiet: the answer is NaN or a bound
        low, high, _ = dg.proportion_interval(p, se, n, 10)
        assert np.isnan(low[[0, 3]]).all() and np.isnan(high[[0, 3]]).all()  # logit: undefined
        assert np.array_equal(low, dg.proportion_interval(p, se, n, 10, method="logit")[0], equal_nan=True)
        low, high, _ = dg.proportion_interval(p, se, n, 10, method="korn-graubard")
    assert low[0] == 0.0 and high[3] == 1.0 and 0 < low[1] < 0.01 < high[1]
    t = 2.2281389  # t quantile 0.975, 10 degrees of freedom (statistical tables)
    low, high, _ = dg.proportion_interval(p, se, n, 10, method="wald")
    assert low[2] == pytest.approx(0.5 - t * 0.1) and high[2] == pytest.approx(0.5 + t * 0.1)


@pytest.mark.parametrize("call, argument", [
    (lambda f: dg.weighted_total(f, "nope"), "variable"),
    (lambda f: dg.weighted_mean(f, "nope"), "variable"),
    (lambda f: dg.weighted_proportion(f, "nope"), "variable"),
    (lambda f: dg.weighted_ratio(f, "nope", "y"), "numerator"),
    (lambda f: dg.weighted_ratio(f, "y", "nope"), "denominator"),
    (lambda f: dg.weighted_mean(f, "y", weight="nope"), "weight/stratum/psu"),
    (lambda f: dg.weighted_mean(f, "y", by="nope"), "by"),
    (lambda f: dg.wg_disability(f), "columns"),
])
def test_a_missing_column_names_the_argument(call, argument):
    with pytest.raises(KeyError, match=f"^.{re.escape(argument)}: column"):  # KeyError quotes it
        call(TINY)


def test_weights_below_one_and_strata_of_two_psus_are_fine():
    frame = TINY.assign(weight=TINY["weight"] / 40, y=TINY["y"].astype(float))  # 0.25 and 0.5
    assert dg.weighted_total(frame, "y").loc["all", "estimate"] == pytest.approx(
        (frame["weight"] * frame["y"]).sum())
    with pytest.raises(ValueError, match="fpc"):
        dg.weighted_mean(frame, "y", fpc={1: 0.5, 2: 1.0})  # a stratum taken whole has no sampling


def test_age_groups_at_the_limits_of_width_and_top():
    ages = pd.Series([0, 1, 2, 7])
    assert list(dg.age_group(ages, width=1, top=2)) == ["0-0", "1-1", "2+", "2+"]
    assert list(dg.age_group(ages, width=2, top=2)) == ["0-1", "0-1", "2+", "2+"]
    assert dg.age_group(ages).name == "age_group"
    for width, top in [(0, 10), (5, 4), (5, 12)]:
        with pytest.raises(ValueError, match=f"width={width}, top={top}"):
            dg.age_group(ages, width=width, top=top)


def test_disability_with_nullable_answers():
    answers = {c: pd.array([1, 1, 1], dtype="Int64") for c in dg.WG_COLUMNS}
    answers[dg.WG_COLUMNS[0]] = pd.array([None, None, 3], dtype="Int64")
    answers[dg.WG_COLUMNS[1]] = pd.array([1, 3, 1], dtype="Int64")
    result = dg.wg_disability(pd.DataFrame(answers))
    assert result.name == "disability" and str(result.dtype) == "boolean"
    assert result.isna().tolist() == [True, False, False] and result[1:].tolist() == [True, True]


def test_shown_and_status_names():
    table = dg.weighted_mean(TINY.assign(y=TINY["y"].astype(float)), "y", by="migrant")
    status = dg.publication_status(table, min_n=1)
    assert status.name == "status"
    assert dg.format_estimates(table, status).name == "shown"


def test_design_effect_does_not_depend_on_units_or_sign():
    # deff is a ratio of two variances of the same estimate: it stays the same when y, or every
    # weight, is multiplied by a constant of any sign or size. Mean of y in TINY: R = 29/11; PSU
    # totals of w (y - R) / 110, times 121: 8, 4, 8 (mean 20/3) and -50, 30 (mean -10), so
    # var_design = (3/2 * 96/9 + 2 * 2 * 40^2) / 121^2 = 6416/14641. sum w (y - R)^2 =
    # 970 - 110 R^2 = 2260/11, s^2 = 2260/11 / 110 * 8/7, var_SRS = s^2 / 8 = 226/847.
    mean_deff = (6416 / 14641) / (226 / 847)
    total_deff = 1300 / (22600 / 7)  # test_design_effect_by_hand
    for frame in (TINY.assign(y=TINY["y"] * 1e-6), TINY.assign(y=-TINY["y"]),
                  TINY.assign(weight=TINY["weight"] * 10**9)):  # whole numbers adding up to 1.1e11
        assert dg.weighted_mean(frame, "y").loc["all", "deff"] == pytest.approx(mean_deff)
        assert dg.weighted_total(frame, "y").loc["all", "deff"] == pytest.approx(total_deff)


def test_design_effect_leaves_out_records_without_a_value():
    # y missing for the last record (PSU 5, weight 20, y 4): W = 90, n = 7, sum w y = 210, R = 7/3,
    # sum w y^2 = 970 - 320 = 650, sum w (y - R)^2 = 650 - 90 R^2 = 160, s^2 = 160/90 * 7/6 = 56/27,
    # var_SRS = s^2 / 7 = 8/27. PSU totals of w (y - R) / 90, times 27: 4, 2, 4 (mean 10/3) and
    # -10, 0 (PSU 5 still counts; mean -5): var_design = (3/2 * 24/9 + 2 * 2 * 25) / 27^2 = 104/729.
    frame = TINY.assign(y=TINY["y"].astype(float).where(TINY.index != 7))
    mean = dg.weighted_mean(frame, "y").loc["all"]
    assert mean["n"] == 7 and mean["se"] ** 2 == pytest.approx(104 / 729)
    assert mean["deff"] == pytest.approx((104 / 729) / (8 / 27))


def test_small_empty_and_constant_domains_are_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a lesson shows no RuntimeWarning
        one = dg.weighted_mean(TINY.assign(g=[1, 0, 0, 0, 0, 0, 0, 0]), "y", by="g")
        # 15 - (15 / 11) * 11 is not 0 in floating point: a tiny residual over n - 1 = 0
        one_ratio = dg.weighted_ratio(TINY.assign(g=[1, 0, 0, 0, 0, 0, 0, 0], y=[15] + [1] * 7,
                                                  x=[11] + [1] * 7), "y", "x", by="g")
        groups = ["a", "b", "a", "b", "c", "a", "b", "c"]
        none = dg.weighted_mean(TINY.assign(g=groups, y=TINY["y"].where(np.array(groups) != "c")),
                                "y", by="g")
        zero = dg.weighted_ratio(TINY.assign(x=1 - TINY["migrant"]), "y", "x", by="migrant")
        persons = dg.weighted_total(TINY)
        missing_by = dg.weighted_total(TINY.assign(g=["a", None, "a", "b", "b", "a", "b", "b"]),
                                       by="g")
    # one record: its own value, no spread, so no design effect
    assert one.loc[1, "estimate"] == 2 and one.loc[1, "n"] == 1 and np.isnan(one.loc[1, "deff"])
    assert one_ratio.loc[1, "estimate"] == pytest.approx(15 / 11) and one_ratio.loc[1, "n"] == 1
    assert np.isnan(one_ratio.loc[1, "deff"])  # 15 - (15/11) * 11 rounds to 1.8e-15, not 0
    # no value at all in the last domain: its row is kept, with n = 0 and no estimate. The
    # others: a (w 10, 10, 20; y 2, 3, 1) 70 / 40, b (w 10, 10, 20; y 4, 5, 2) 130 / 40.
    assert none["n"].tolist() == [3, 3, 0] and np.isnan(none.loc["c", "estimate"])
    assert none["estimate"].tolist()[:2] == pytest.approx([70 / 40, 130 / 40])
    # a denominator total of 0 gives no finite ratio; the other domain is not touched
    assert not np.isfinite(zero.loc[1, "estimate"])
    assert zero.loc[0, "estimate"] == pytest.approx(160 / 50)
    # a count of every person does not vary (no deff), though the PSU totals of w do (an SE)
    assert persons.loc["all", "estimate"] == 110 and np.isnan(persons.loc["all", "deff"])
    assert persons.loc["all", "se"] > 0
    assert missing_by["n"].tolist() == [3, 4]


def test_fpc_applies_to_totals_shares_and_ratios():
    # One sampling fraction f for every stratum multiplies each variance by 1 - f; an exact
    # fraction (1 PSU in 5) is a number like any other. Variances without fpc:
    # test_total_matches_hand_computation and test_design_effect_by_hand.
    f = Fraction(1, 5)
    total = dg.weighted_total(TINY, "y", fpc=f)
    assert total.loc["all", "se"] ** 2 == pytest.approx(0.8 * 1300)
    share = dg.weighted_proportion(TINY, "migrant", fpc=f)
    assert share.loc["all", "se"] ** 2 == pytest.approx(0.8 * 1049 / 14641)
    ratio = dg.weighted_ratio(TINY.assign(x=[1, 2, 1, 2, 1, 2, 1, 2]), "y", "x", fpc=f)
    assert ratio.loc["all", "se"] ** 2 == pytest.approx(0.8 * 8513 / 83521)


def test_proportion_intervals_by_method_through_weighted_proportion():
    # Share of migrants in TINY: p = 6/11, se^2 = 1049/14641 (test_design_effect_by_hand), 3 df.
    p, se, t = 6 / 11, math.sqrt(1049 / 14641), 3.1824463  # t(0.975; 3), statistical tables
    wald = dg.weighted_proportion(TINY, "migrant", interval="wald").loc["all"]
    assert wald["ci_low"] == pytest.approx(p - t * se) and wald["ci_high"] == pytest.approx(p + t * se)
    # everybody is a migrant: p = 1, se = 0, so the CV is 0 / 1 = 0 (it is undefined only at 0)
    assert dg.weighted_proportion(TINY.assign(b=1), "b").loc["all", "cv"] == 0


def test_logit_interval_is_undefined_at_0_and_1_whatever_the_se():
    low, high, _ = dg.proportion_interval([0.0, 1.0], [0.1, 0.1], [50, 50], 10, method="logit")
    assert np.isnan(low).all() and np.isnan(high).all()


def test_a_missing_estimate_gets_a_missing_interval():
    low, high, _ = dg.proportion_interval([0.5, None], [0.1, None], [50, 50], 10, method="wald")
    t = 2.2281389  # t(0.975; 10), statistical tables
    assert low[0] == pytest.approx(0.5 - t * 0.1) and high[0] == pytest.approx(0.5 + t * 0.1)
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_domains_are_the_observed_categories_and_all_is_named_domain():
    frame = TINY.assign(g=pd.Categorical(["a", "b"] * 4, categories=["a", "b", "never"]))
    assert dg.weighted_total(frame, "y", by="g").index.tolist() == ["a", "b"]
    assert dg.weighted_total(TINY, "y").index.name == "domain"


def test_errors_name_the_lonely_stratum_and_the_weight():
    # Strata 1 and 2 have 3 and 2 PSUs (enough); stratum 3 has one.
    extra = pd.DataFrame({"stratum": [3], "psu": [6], "weight": [10], "y": [1], "migrant": [0]})
    with pytest.raises(ValueError, match=r"stratum \[3\] has only one PSU"):
        dg.weighted_mean(pd.concat([TINY, extra], ignore_index=True), "y")
    with pytest.raises(TypeError, match="^weight='weight' has type"):
        dg.weighted_mean(TINY.assign(weight="ten"), "y")


def test_cv_flag_must_be_above_0_and_at_most_1():
    table = pd.DataFrame({"cv": [0.5, 1.0, 1.2], "n": [50, 50, 50]})
    assert dg.publication_status(table, cv_flag=1, cv_suppress=1).tolist() == [
        "publish", "publish", "suppress"]
    for cv_flag in (0, 1.5):
        with pytest.raises(ValueError, match="0 < cv_flag"):
            dg.publication_status(table, cv_flag=cv_flag, cv_suppress=2)


def test_indicator_table_default_rules_at_30_records():
    # 30 records in one stratum of 6 PSUs of 5, weight 1, in the default "weight" column.
    frame = pd.DataFrame({"stratum": 1, "psu": np.repeat(range(6), 5), "weight": 1.0,
                          "y": np.tile([10, 11, 12, 13, 14], 6), "z": [1] * 5 + [0] * 25})
    table = dg.indicator_table(frame, {"Mean y": ("mean", "y"), "Total z": ("total", "z")}, by=None)
    # Mean y: 12 in every PSU, so se = 0 and cv = 0; exactly min_n = 30 records: published.
    # Total z: 5, all in PSU 0: PSU totals 5, 0, 0, 0, 0, 0 (mean 5/6), var = 6/5 * ((25/6)^2 +
    # 5 (5/6)^2) = 25, se 5, cv 5 / 5 = 1: above cv_suppress = 0.30, suppressed.
    assert table.loc[("Total z", "all"), "cv"] == pytest.approx(1.0)
    assert table["status"].tolist() == ["publish", "suppress"]
    with pytest.raises(TypeError, match="non-empty dict"):
        dg.indicator_table(frame, [("Mean y", ("mean", "y"))], by=None)


def test_indicator_table_passes_the_design_and_the_rules_on():
    frame = TINY.rename(columns={"stratum": "h", "psu": "cluster"})
    table = dg.indicator_table(frame, {"Total y": ("total", "y")}, by=None, stratum="h",
                               psu="cluster", level=0.9, cv_flag=0.1, cv_suppress=0.12, min_n=8)
    row = table.loc[("Total y", "all")]
    # TINY: total 290, se sqrt(1300) (test_total_matches_hand_computation); 5 PSUs - 2 strata =
    # 3 df, t(0.95; 3) = 2.3533634 (statistical tables).
    se = math.sqrt(1300)
    assert row["se"] == pytest.approx(se)
    assert row["ci_low"] == pytest.approx(290 - 2.3533634 * se)
    assert row["ci_high"] == pytest.approx(290 + 2.3533634 * se)
    # cv = 36.06 / 290 = 0.124, above cv_suppress = 0.12; n = 8 = min_n is enough
    assert row["status"] == "suppress" and row["shown"] == ":"
