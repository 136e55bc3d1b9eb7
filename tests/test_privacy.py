"""Tests of migstats.privacy.

- OpenDP's mechanisms are not seedable, by design. The noise has the standard deviation the
  theory gives, sqrt(2) / epsilon for the Laplace mechanism; the tolerance makes a false alarm
  rarer than one in a billion runs (20,000 draws: the standard error of the sample standard
  deviation is under 1%, and the tolerance is 7%). OpenDP's own privacy map is the reference for
  the epsilon spent. At epsilon = 10^6 the discrete Laplace noise is 0 with probability
  1 - 2 exp(-10^6) / (1 + exp(-10^6)), so the noisy counts are the counts: exact checks.
- pac-synth is not seedable either. Its documented behaviour is checked with margins many
  standard errors wide: a "reporting length" of 3 keeps combinations of up to 3 attributes, so a
  4th attribute that is the parity of 3 others (every 3-way table of it is uniform) is kept only
  with a reporting length of 4; and balancing the draws with the synthetic counts keeps two-way
  tables closer (measured: mean total variation distance 0.03 to 0.05 with it, 0.10 to 0.14
  without, in 8 runs of each).
- copied_records and membership_advantage: small files worked by hand.
"""
import itertools

import numpy as np
import pandas as pd
import pytest

from migstats import privacy

def test_laplace_noise_has_the_theoretical_scale():
    epsilon = 0.5
    noisy = privacy.laplace_counts(pd.Series(np.full(20_000, 100)), epsilon)
    assert abs(noisy.mean() - 100) < 0.1  # standard error 2.83 / sqrt(20000) = 0.02
    assert noisy.std() == pytest.approx(np.sqrt(2) / epsilon, rel=0.07)
    assert privacy.laplace_measurement(epsilon).map(1) == pytest.approx(epsilon)


def test_gaussian_noise_spends_the_budget_asked():
    measurement = privacy.gaussian_measurement(1.0, 1e-6)
    spent_epsilon, spent_delta = measurement.map(1)
    assert spent_epsilon <= 1.0 and spent_delta <= 1e-6
    noisy = privacy.gaussian_counts(pd.Series(np.zeros(20_000, dtype=int)), 1.0, 1e-6)
    # classical analytic bound: sigma = sqrt(2 log(1.25 / delta)) / epsilon = 5.3 is sufficient;
    # OpenDP's conversion from zero-concentrated DP is tighter, so the noise is smaller
    assert 2.5 < noisy.std() < 5.3


def test_laplace_counts_keep_the_shape_and_reject_bad_input():
    table = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=["r", "s"])
    noisy = privacy.laplace_counts(table, 1.0)
    assert noisy.shape == table.shape and list(noisy.index) == ["r", "s"]
    with pytest.raises(ValueError, match="epsilon"):
        privacy.laplace_counts(table, 0)
    with pytest.raises(TypeError, match="whole numbers"):
        privacy.laplace_counts(table.astype(float) / 2, 1.0)


def test_with_totals_post_processing():
    noisy = pd.DataFrame({"a": [3, -2], "b": [1, 4]}, index=["r", "s"])
    out = privacy.with_totals(noisy)
    assert out.loc["s", "a"] == 0
    assert out.loc["total", "total"] == 8 and out.loc["r", "total"] == 4


def test_copied_records_and_membership_by_hand():
    real = pd.DataFrame({"a": ["x", "x", "y", "z"], "b": [1, 1, 2, 3]})
    synthetic = pd.DataFrame({"a": ["y", "x", "w"], "b": [2, 1, 3]})
    assert privacy.copied_records(synthetic, real, ["a", "b"]) == 0.5  # y|2 of uniques y|2, z|3
    result = privacy.membership_advantage(synthetic, real.iloc[:2], real.iloc[2:], ["a", "b"])
    assert result == {"true positive rate": 1.0, "false positive rate": 0.5, "advantage": 0.5}


@pytest.mark.parametrize("epsilon", [0, -1.0, np.inf, float("nan"), "1"])
def test_epsilon_must_be_a_positive_number(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        privacy.laplace_measurement(epsilon)


@pytest.mark.parametrize("delta", [0, 1, 2, -0.1])
def test_delta_must_be_a_probability_between_0_and_1(delta):
    with pytest.raises(ValueError, match="delta must be a small probability"):
        privacy.gaussian_measurement(1.0, delta)


def test_noisy_counts_keep_labels_and_values_when_the_noise_is_nil():
    counts = pd.Series([5, 0, 12], index=["x", "y", "z"], name="arrivals")
    noisy = privacy.laplace_counts(counts, 1e6)
    pd.testing.assert_series_equal(noisy, counts)
    table = pd.DataFrame({"f": [1, 2], "m": [3, 4]}, index=["r", "s"])
    pd.testing.assert_frame_equal(privacy.laplace_counts(table, 1e6), table)
    assert privacy.laplace_counts(pd.Series([], dtype=int), 1.0).dtype == np.int64, "no cell"
    with pytest.raises(TypeError, match="pandas Series or DataFrame"):
        privacy.laplace_counts([1, 2], 1.0)
    with pytest.raises(TypeError, match="at least 0"):
        privacy.laplace_counts(pd.Series([3, -1]), 1.0)


def test_with_totals_of_a_series():
    out = privacy.with_totals(pd.Series([3, -1, 2], index=["a", "b", "c"]))
    assert out.to_dict() == {"a": 3, "b": 0, "c": 2, "total": 5}


def test_keys_do_not_mix_up_values_that_contain_the_separator_or_are_empty():
    real = pd.DataFrame({"a": ["x|y", "(empty)", "u", "u"], "b": ["z", "q", "v", "v"],
                         "c": [1, 1, 2, 3]})
    synthetic = pd.DataFrame({"a": ["x", None, "u"], "b": ["y|z", "q", "v"], "c": [1, 1, 3]})
    # real uniques on a, b, c: all four; only (u, v, 3) is in the synthetic file
    assert privacy.copied_records(synthetic, real, ["a", "b", "c"]) == 0.25
    # on a, b: (u, v) is there twice, so it is no unique; x|y,z and (empty),q are not copied
    assert privacy.copied_records(synthetic, real, ["a", "b"]) == 0.0
    empty = pd.DataFrame({"a": [None], "b": ["q"], "c": [1]})
    assert privacy.copied_records(synthetic, empty, ["a", "b", "c"]) == 1.0


def test_copied_records_without_real_uniques_is_zero():
    real = pd.DataFrame({"a": ["x", "x"], "b": [1, 1]})
    assert privacy.copied_records(real, real, ["a", "b"]) == 0.0


def test_dp_synthesise_rejects_an_empty_file():
    for df in (pd.DataFrame({"a": []}), [{"a": 1}]):
        with pytest.raises(ValueError, match="non-empty DataFrame"):
            privacy.dp_synthesise(df, epsilon=1.0)


def lms_like_file(n=600):
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "kids": rng.choice([0, 1, 2], n),
                         "flag": rng.random(n) < 0.3, "region": rng.choice(["a", "b", "-"], n)})
    real["region"] = real["region"].replace("-", None)
    return real


def test_dp_synthesise_keeps_values_types_zeros_and_empties():
    real = lms_like_file()
    synthetic = privacy.dp_synthesise(real, epsilon=8.0)
    assert list(synthetic.columns) == ["sex", "kids", "flag", "region"]
    assert [str(t) for t in synthetic.dtypes] == ["string", "Int64", "boolean", "string"]
    assert 500 < len(synthetic) < 700
    assert set(synthetic["sex"].dropna()) == {"f", "m"}
    assert set(synthetic["kids"].dropna()) == {0, 1, 2}, "0 is a value, not an empty cell"
    assert set(synthetic["region"].dropna()) == {"a", "b"}
    # with a large budget the shares stay close to the real ones (real shares about 1/3, 0.3)
    for share in (lambda d: d["kids"].eq(0).mean(), lambda d: d["region"].isna().mean(),
                  lambda d: d["flag"].eq(True).mean(), lambda d: d["flag"].eq(False).mean(),
                  lambda d: d["sex"].eq("f").mean()):
        assert abs(share(synthetic) - share(real)) < 0.1
    assert len(privacy.dp_synthesise(real, epsilon=8.0, n=150)) == 150


def test_dp_synthesise_keeps_combinations_of_up_to_three_attributes():
    rng = np.random.default_rng(1)
    real = pd.DataFrame(rng.integers(1, 3, (2000, 3)), columns=["a", "b", "c"])
    real["d"] = real.sum(axis=1) % 2 + 1  # every 3-way table with d in it is uniform

    def parity_kept(synthetic):
        s = synthetic.dropna()
        return (s[["a", "b", "c"]].sum(axis=1) % 2 + 1 == s["d"]).mean()

    assert parity_kept(privacy.dp_synthesise(real, epsilon=8.0)) < 0.75  # measured 0.49 to 0.52
    assert parity_kept(privacy.dp_synthesise(real, epsilon=8.0, reporting_length=4)) > 0.9


def test_dp_synthesise_keeps_two_way_tables_close():
    rng = np.random.default_rng(0)
    base = rng.integers(1, 4, 1000)
    real = pd.DataFrame({f"c{i}": np.where(rng.random(1000) < 0.6, base, rng.integers(1, 4, 1000))
                         for i in range(4)})
    synthetic = privacy.dp_synthesise(real, epsilon=4.0)
    distances = []
    for x, y in itertools.combinations(real.columns, 2):
        r = pd.crosstab(real[x], real[y], normalize=True)
        s = pd.crosstab(synthetic[x], synthetic[y], normalize=True).reindex_like(r).fillna(0)
        distances.append(0.5 * np.abs(r - s).to_numpy().sum())
    assert np.mean(distances) < 0.075
