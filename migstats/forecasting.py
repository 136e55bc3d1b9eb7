"""Honest evaluation of forecasts: the seasonal-naive benchmark, rolling-origin backtests, scores.

The methods follow Hyndman and Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.),
chapter 5: a forecast is judged on data it did not see, from many forecast origins, against
the seasonal-naive benchmark (MASE, Hyndman and Koehler 2006), with the coverage and width of
its prediction intervals. The models themselves come from statsmodels and scikit-learn; this
module holds only what those libraries do not provide. Series are pandas Series with a monthly
``DatetimeIndex``.
"""

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile (scipy.stats.norm.ppf), quick to import


def seasonal_naive(train, horizon, m=12, level=0.8):
    """Seasonal-naive forecast: each month equals the same month of the last observed season.

    The interval is normal with standard deviation ``sigma * sqrt(k + 1)`` at step h, where
    ``k = (h - 1) // m`` and sigma is the root mean square of the seasonal differences of
    ``train`` (FPP3, section 5.5). Returns a DataFrame with columns mean, lower, upper.
    """
    train = _series(train, "train")
    if len(train) <= m:
        raise ValueError(f"train has {len(train)} values; the seasonal-naive forecast needs more than m = {m}")
    h = np.arange(1, horizon + 1)
    mean = train.to_numpy(dtype=float)[len(train) - m + (h - 1) % m]
    diff = train.to_numpy(dtype=float)[m:] - train.to_numpy(dtype=float)[:-m]
    sd = np.sqrt(np.mean(diff ** 2)) * np.sqrt((h - 1) // m + 1)
    z = ndtri(0.5 + level / 2)
    index = pd.date_range(train.index[-1], periods=horizon + 1, freq=train.index.freq or "MS")[1:]
    return pd.DataFrame({"mean": mean, "lower": mean - z * sd, "upper": mean + z * sd}, index=index)


def backtest(y, forecaster, origins, horizon):
    """Forecast from each origin with only the data up to it, and line the forecasts up with y.

    ``forecaster(train, horizon)`` returns a DataFrame (or Series) indexed by the months after
    the origin, with a column ``mean`` and optionally ``lower`` and ``upper``. Returns one row
    per origin and horizon: month, origin, horizon, actual, and the forecaster's columns. Months
    beyond the end of ``y`` are left out.
    """
    y = _series(y, "y")
    rows = []
    for origin in pd.to_datetime(origins):
        if origin not in y.index:
            raise ValueError(f"origin {origin:%Y-%m} is not a month of y ({y.index[0]:%Y-%m} to {y.index[-1]:%Y-%m})")
        train = y[y.index <= origin]
        fc = forecaster(train, horizon)
        fc = fc.to_frame("mean") if isinstance(fc, pd.Series) else fc.copy()
        fc = fc.iloc[:horizon]
        fc.insert(0, "horizon", np.arange(1, len(fc) + 1))
        fc.insert(0, "origin", origin)
        fc.insert(2, "actual", y.reindex(fc.index).to_numpy())
        rows.append(fc.rename_axis("month").reset_index())
    table = pd.concat(rows, ignore_index=True)
    return table[table["actual"].notna()].reset_index(drop=True)


def mase(actual, forecast, train, m=12):
    """Mean absolute scaled error: MAE of the forecast divided by the in-sample MAE of the
    seasonal-naive forecast on ``train`` (Hyndman and Koehler 2006). Below 1 beats the benchmark."""
    errors = np.abs(np.asarray(actual, dtype=float) - np.asarray(forecast, dtype=float))
    return float(np.mean(errors) / _scale(train, m))


def coverage(actual, lower, upper):
    """Share of actual values inside their prediction interval [lower, upper]."""
    actual = np.asarray(actual, dtype=float)
    return float(np.mean((actual >= np.asarray(lower, dtype=float)) & (actual <= np.asarray(upper, dtype=float))))


def scores(table, y, m=12, by=None):
    """Scores of a backtest table (from ``backtest``): MAE, MASE and, if it has intervals,
    coverage and mean width. Each origin's errors are scaled by its own training data, so
    MASE is the mean of the scaled absolute errors. ``by="horizon"`` gives one row per horizon.
    """
    y = _series(y, "y")
    scale = {origin: _scale(y[y.index <= origin], m) for origin in table["origin"].unique()}
    t = table.assign(abs_error=(table["actual"] - table["mean"]).abs())
    t["scaled"] = t["abs_error"] / t["origin"].map(scale)
    cols = {"MAE": ("abs_error", "mean"), "MASE": ("scaled", "mean")}
    if {"lower", "upper"} <= set(t.columns):
        t["inside"] = (t["actual"] >= t["lower"]) & (t["actual"] <= t["upper"])
        t["width"] = t["upper"] - t["lower"]
        cols |= {"coverage": ("inside", "mean"), "width": ("width", "mean")}
    if by is None:
        return pd.Series({name: t[col].agg(how) for name, (col, how) in cols.items()}, dtype=float)
    return t.groupby(by).agg(**cols)


def _scale(train, m):
    """In-sample MAE of the seasonal-naive forecast: the denominator of MASE."""
    train = np.asarray(train, dtype=float)
    return np.mean(np.abs(train[m:] - train[:-m]))


def _series(y, name):
    if not isinstance(y, pd.Series) or not isinstance(y.index, pd.DatetimeIndex):
        raise TypeError(f"{name} must be a pandas Series with a monthly DatetimeIndex; got {type(y).__name__}. "
                        "Build it with series.set_index('month')['flow'].")
    return y
