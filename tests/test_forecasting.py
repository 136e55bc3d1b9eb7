"""migstats.forecasting against independent references: statsmodels, scikit-learn, hand computations."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit
from statsmodels.tsa.statespace.sarimax import SARIMAX

from migstats import forecasting as fc


@pytest.fixture
def y():
    rng = np.random.default_rng(1)
    months = pd.date_range("2015-01-01", periods=72, freq="MS")
    season = 10 * np.sin(2 * np.pi * np.arange(72) / 12)
    return pd.Series(100 + season + np.cumsum(rng.normal(0, 2, 72)), index=months)


def test_mase_by_hand():
    # Hand computation: seasonal differences (m = 2) of 1, 3, 2, 6 are 1 and 3: scale 2.
    # Forecast errors 1 and 3: MAE 2. MASE = 2 / 2 = 1.
    assert fc.mase([10, 10], [9, 13], [1, 3, 2, 6], m=2) == pytest.approx(1.0)


def test_mase_equals_ratio_of_sklearn_maes(y):
    train, test = y[:60], y[60:]
    forecast = np.full(12, train.mean())
    expected = mean_absolute_error(test, forecast) / mean_absolute_error(train[12:], train[:-12].to_numpy())
    assert fc.mase(test, forecast, train) == pytest.approx(expected)


def test_seasonal_naive_matches_statsmodels_seasonal_random_walk(y):
    # A seasonal random walk, SARIMA(0,0,0)(0,1,0)12 without constant, is the seasonal-naive
    # model (FPP3 section 5.5): the same forecasts and, at sigma's maximum likelihood, the same
    # interval that widens by sqrt(k + 1) each season.
    train = y[:60]
    ours = fc.seasonal_naive(train, 24, level=0.8)
    res = SARIMAX(train, order=(0, 0, 0), seasonal_order=(0, 1, 0, 12)).fit(disp=False)
    ref = res.get_forecast(24).summary_frame(alpha=0.2)
    assert np.allclose(ours["mean"], ref["mean"])
    assert np.allclose(ours["upper"] - ours["lower"], ref["mean_ci_upper"] - ref["mean_ci_lower"], rtol=0.02)
    width = (ours["upper"] - ours["lower"]).to_numpy()
    assert np.allclose(width[12:] / width[:12], np.sqrt(2))


def test_backtest_splits_agree_with_sklearn_time_series_split(y):
    # Origins every 6 months with a 6-month horizon are sklearn's expanding-window splits.
    splitter = TimeSeriesSplit(n_splits=4, test_size=6)
    origins = [y.index[train[-1]] for train, _ in splitter.split(y)]
    seen = {}

    def last_value(train, h):
        seen[train.index[-1]] = len(train)
        index = pd.date_range(train.index[-1], periods=h + 1, freq="MS")[1:]
        return pd.Series(train.iloc[-1], index=index)

    table = fc.backtest(y, last_value, origins, horizon=6)
    for (train, test), origin in zip(splitter.split(y), origins):
        assert seen[origin] == len(train)
        rows = table[table["origin"] == origin]
        assert np.allclose(rows["actual"], y.iloc[test])
        assert list(rows["horizon"]) == [1, 2, 3, 4, 5, 6]


def test_backtest_drops_months_beyond_the_data(y):
    table = fc.backtest(y, lambda t, h: fc.seasonal_naive(t, h), [y.index[-3]], horizon=12)
    assert len(table) == 2


def test_scores_by_hand():
    months = pd.date_range("2020-01-01", periods=6, freq="MS")
    y = pd.Series([1.0, 3, 2, 6, 4, 8], index=months)
    table = pd.DataFrame({"origin": months[3], "horizon": [1, 2], "month": months[4:],
                          "actual": [4.0, 8], "mean": [5.0, 5], "lower": [3.0, 3], "upper": [6.0, 6]})
    s = fc.scores(table, y, m=2)
    # errors 1 and 3 -> MAE 2; training 1, 3, 2, 6 -> seasonal differences 1, 3 -> scale 2
    assert s["MAE"] == pytest.approx(2.0) and s["MASE"] == pytest.approx(1.0)
    assert s["coverage"] == pytest.approx(0.5) and s["width"] == pytest.approx(3.0)
    assert fc.coverage([4, 8], [3, 3], [6, 6]) == pytest.approx(0.5)
    by_h = fc.scores(table, y, m=2, by="horizon")
    assert list(by_h["MAE"]) == [1.0, 3.0]


def test_clear_errors(y):
    with pytest.raises(TypeError, match="DatetimeIndex"):
        fc.backtest(y.to_numpy(), fc.seasonal_naive, [y.index[30]], 6)
    with pytest.raises(ValueError, match="origin 2030-01"):
        fc.backtest(y, fc.seasonal_naive, ["2030-01-01"], 6)
    with pytest.raises(ValueError, match="more than m"):
        fc.seasonal_naive(y[:10], 6)


def test_each_function_names_its_own_wrong_argument(y):
    with pytest.raises(TypeError, match="^train must be a pandas Series"):
        fc.seasonal_naive(list(y), 6)
    with pytest.raises(TypeError, match="^y must be a pandas Series"):
        fc.backtest(list(y), fc.seasonal_naive, [y.index[30]], 6)
    table = fc.backtest(y, fc.seasonal_naive, [y.index[30]], 6)
    with pytest.raises(TypeError, match="^y must be a pandas Series"):
        fc.scores(table, list(y))


def test_seasonal_naive_needs_more_than_one_season(y):
    with pytest.raises(ValueError, match="train has 12 values"):
        fc.seasonal_naive(y[:12], 6)  # no seasonal difference to estimate sigma from
    assert len(fc.seasonal_naive(y[:13], 6)) == 6


def test_seasonal_naive_defaults_by_hand():
    # Two seasons of m = 12 (counts, as flows are): last season 13..24, each value 12 above the
    # one a season before, so sigma = 12. Default level 80%: z = 1.2816, interval 15.38 wide.
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    train = pd.Series(np.arange(1, 25), index=months)
    out = fc.seasonal_naive(train, 13)
    assert list(out.columns) == ["mean", "lower", "upper"]
    assert all(dtype == float for dtype in out.dtypes)
    assert list(out["mean"]) == [*range(13, 25), 13]
    assert np.allclose(out["upper"] - out["mean"], [12 * 1.2815516] * 12 + [12 * 1.2815516 * np.sqrt(2)])
    assert list(out.index) == list(pd.date_range("2022-01-01", periods=13, freq="MS"))


def test_seasonal_naive_dates_months_when_the_index_has_no_frequency(y):
    train = y[:30]
    train.index = pd.DatetimeIndex(list(train.index))  # read from a file: no freq
    assert train.index.freq is None
    out = fc.seasonal_naive(train, 3)
    assert list(out.index) == list(pd.date_range(y.index[30], periods=3, freq="MS"))


def test_backtest_table_columns_and_rows(y):
    def mean_only(train, h):  # a forecaster that returns a Series
        return pd.Series(float(train.mean()), index=pd.date_range(train.index[-1], periods=h + 1, freq="MS")[1:])

    table = fc.backtest(y, mean_only, [y.index[40], y.index[50]], 3)
    assert list(table.columns) == ["month", "origin", "horizon", "actual", "mean"]
    assert list(table.index) == list(range(6))
    assert list(table["month"]) == [*y.index[41:44], *y.index[51:54]]
    assert table["mean"].iloc[0] == pytest.approx(y[:41].mean())
    table = fc.backtest(y, fc.seasonal_naive, [y.index[40]], 2)
    assert list(table.columns) == ["month", "origin", "horizon", "actual", "mean", "lower", "upper"]


def test_an_actual_on_the_bound_is_inside_the_interval():
    assert fc.coverage([3.0, 6.0, 7.0], [3.0, 3.0, 3.0], [6.0, 6.0, 6.0]) == pytest.approx(2 / 3)
    months = pd.date_range("2020-01-01", periods=6, freq="MS")
    y = pd.Series([1.0, 3, 2, 6, 3, 6], index=months)
    table = pd.DataFrame({"origin": months[3], "horizon": [1, 2], "month": months[4:],
                          "actual": [3.0, 6], "mean": [5.0, 5], "lower": [3.0, 3], "upper": [6.0, 6]})
    assert fc.scores(table, y, m=2)["coverage"] == 1.0


def test_scores_default_to_a_season_of_twelve_months(y):
    table = fc.backtest(y, fc.seasonal_naive, [y.index[40]], 6)
    assert fc.scores(table, y).equals(fc.scores(table, y, m=12))
    assert fc.scores(table, y)["MASE"] != pytest.approx(fc.scores(table, y, m=13)["MASE"])


def test_pandas_missing_values_count_as_numpy_nan():
    # Nullable columns (pandas' NA, e.g. after convert_dtypes()) give the same scores as NaN.
    actual = pd.array([4.0, None, 8.0], dtype="Float64")
    same = np.array([4.0, np.nan, 8.0])
    assert fc.coverage(actual, [3, 3, 3], [6, 6, 6]) == fc.coverage(same, [3, 3, 3], [6, 6, 6]) == pytest.approx(1 / 3)
    lower = pd.array([3.0, 3.0, None], dtype="Float64")
    assert fc.coverage(same, lower, [6, 6, 9]) == pytest.approx(1 / 3)
    upper = pd.array([6.0, 6.0, None], dtype="Float64")
    assert fc.coverage(same, [3, 3, 3], upper) == pytest.approx(1 / 3)
    train = pd.array([1.0, 3, 2, 6], dtype="Float64")
    assert fc.mase(pd.array([10.0, 10], dtype="Float64"), pd.array([9.0, 13], dtype="Float64"), train, m=2) == pytest.approx(1.0)
    assert np.isnan(fc.mase(actual, [5.0, 5, 5], [1.0, 3, 2, 6], m=2))
    assert np.isnan(fc.mase([4.0, 5, 8], pd.array([5.0, None, 5], dtype="Float64"), [1.0, 3, 2, 6], m=2))
    assert np.isnan(fc.mase([4.0, 5], [5.0, 5], pd.array([1.0, 3, None, 6], dtype="Float64"), m=2))


def test_none_in_a_list_counts_as_a_missing_value():
    # A value typed as None (a plain list, or a column of Python objects) is missing, as NaN is.
    # Coverage: 4 is in [3, 6]; the missing actual and the values with a missing bound are not
    # inside: 1 of 3.
    assert fc.coverage([4.0, None, 8.0], [3, 3, 3], [6, 6, 6]) == pytest.approx(1 / 3)
    assert fc.coverage([4.0, 5.0, 5.0], [3, None, 3], [6, 6, None]) == pytest.approx(1 / 3)
    assert fc.coverage(pd.Series([4.0, None], dtype=object), [3, 3], [6, 6]) == pytest.approx(1 / 2)
    # MASE: a missing actual, forecast or training value makes it unknown (NaN), not an error.
    assert np.isnan(fc.mase([4.0, None], [5.0, 5], [1.0, 3, 2, 6], m=2))
    assert np.isnan(fc.mase([4.0, 5], [None, 5], [1.0, 3, 2, 6], m=2))
    assert np.isnan(fc.mase([4.0, 5], [5.0, 5], [1.0, 3, None, 6], m=2))
