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
