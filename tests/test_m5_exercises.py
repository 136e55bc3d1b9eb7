"""The module 5 exercises autograde correctly through real nbgrader.

For each assignment, the reference solution gets full marks, and each plausible wrong
submission (a common mistake of the topic) gets less, with a zero on the test cell that is
meant to catch it.
"""

from pathlib import Path

import pytest

from nbgrader_harness import assert_proven, grade

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

SOURCE = Path(__file__).resolve().parent.parent / "grader" / "source"

EX1_WRONG = {
    # A single split: scores one origin (December 2022) instead of the rolling origins.
    "single_split": {"q1": (
        "def snaive(train, horizon):\n"
        "    months = pd.date_range(train.index[-1], periods=horizon + 1, freq='MS')[1:]\n"
        "    return pd.Series(np.resize(train.iloc[-12:].to_numpy(dtype=float), horizon), index=months)\n"
        "bt_snaive = forecasting.backtest(y, snaive, [ORIGINS[-1]], H)\n"
        "snaive_mase = forecasting.scores(bt_snaive, y)['MASE']")},
    # Scores the ETS model on its training data (the fitted values up to the test origin).
    "training_score": {"q2": (
        "def ets(train, horizon):\n"
        "    fit = ETSModel(np.log(train), error='add', trend=None, seasonal='add', seasonal_periods=12).fit(disp=False)\n"
        "    frame = fit.get_prediction(start=len(train), end=len(train) + horizon - 1).summary_frame(alpha=0.2)\n"
        "    months = pd.date_range(train.index[-1], periods=horizon + 1, freq='MS')[1:]\n"
        "    return pd.DataFrame({'mean': np.exp(frame['mean'].to_numpy()), 'lower': np.exp(frame['pi_lower'].to_numpy()),\n"
        "                         'upper': np.exp(frame['pi_upper'].to_numpy())}, index=months)\n"
        "bt_ets = forecasting.backtest(y, ets, ORIGINS, H)\n"
        "train = y[y.index <= TEST_ORIGIN]\n"
        "fit = ETSModel(np.log(train), error='add', trend=None, seasonal='add', seasonal_periods=12).fit(disp=False)\n"
        "ets_mase = forecasting.mase(train, np.exp(fit.fittedvalues), train)")},
    # Intervals from the in-sample residuals, the same width at every horizon.
    "insample_intervals": {"q3": (
        "rows = []\n"
        "for origin in ORIGINS:\n"
        "    train = y[y.index <= origin]\n"
        "    fit = ETSModel(np.log(train), error='add', trend=None, seasonal='add', seasonal_periods=12).fit(disp=False)\n"
        "    half = 1.2816 * np.std(fit.resid)\n"
        "    b = bt_ets[bt_ets['origin'] == origin]\n"
        "    rows.append((b['actual'] >= b['mean'] * np.exp(-half)) & (b['actual'] <= b['mean'] * np.exp(half)))\n"
        "ets_coverage = float(pd.concat(rows).mean())")},
    # Leaks the future: uses the unemployment gap of the target months.
    "leak_drivers": {"q4": (
        "targets = pd.date_range('2023-01-01', periods=12, freq='MS')\n"
        "X_2022 = pd.DataFrame({'last_year': y[targets - pd.DateOffset(months=12)].to_numpy(),\n"
        "                       'gap_known': gap[targets].to_numpy()}, index=targets)")},
    # Chooses on the test period: the seasonal naive scores best on 2024, not on validation.
    "choose_on_test": {"q5": (
        "def own(train, horizon):\n"
        "    months = pd.date_range(train.index[-1], periods=horizon + 1, freq='MS')[1:]\n"
        "    two_years = (train.iloc[-12:].to_numpy(dtype=float) + train.iloc[-24:-12].to_numpy(dtype=float)) / 2\n"
        "    return pd.Series(np.resize(two_years, horizon), index=months)\n"
        "own_mase = forecasting.scores(forecasting.backtest(y, own, ORIGINS, H), y)['MASE']\n"
        "validation_mase = {'seasonal naive': snaive_mase, 'ETS': ets_mase, 'own': own_mase}\n"
        "test = {k: forecasting.scores(forecasting.backtest(y, m, [TEST_ORIGIN], H), y)['MASE']\n"
        "        for k, m in {'seasonal naive': snaive, 'ETS': ets, 'own': own}.items()}\n"
        "chosen = min(test, key=test.get)")},
}

EX2_WRONG = {
    # Refusal rate of all applicants, not of the eligible ones: mixes bias with real differences.
    "unconditional_rate": {"q1": 'refusal_of_eligible = (~cases["granted"]).groupby(cases["nationality"], observed=True).mean()'},
    # Audits on the training years, files the model has already seen.
    "training_years": {"q2": (
        'X_train = design(train, ALL)\n'
        'model = LogisticRegression(max_iter=2000).fit(X_train, train["granted"])\n'
        'prob_audit = model.predict_proba(design(audit, ALL).reindex(columns=X_train.columns, fill_value=0.0))[:, 1]\n'
        'fnr_audit = MetricFrame(metrics=false_negative_rate, y_true=train["eligible"],\n'
        '                        y_pred=model.predict_proba(X_train)[:, 1] >= 0.5,\n'
        '                        sensitive_features=train["nationality"]).by_group')},
    # Takes the biased historical decisions as the truth: the model then looks calibrated.
    "history_as_truth": {"q3": (
        'frame = pd.DataFrame({"prob": prob_audit, "granted": audit["granted"].astype(float).to_numpy(),\n'
        '                      "nationality": audit["nationality"].to_numpy()})\n'
        'means = frame.groupby("nationality", observed=True).mean()\n'
        'calibration_gap = means["prob"] - means["granted"]')},
    # Audits by nationality only: misses the combination that the bias hits hardest.
    "no_intersection": {"q4": (
        'fnr_by_nationality_sex = MetricFrame(metrics=false_negative_rate, y_true=audit["eligible"],\n'
        '                                     y_pred=prob_audit >= 0.5, sensitive_features=audit["nationality"]).by_group')},
    # "De-biases" by dropping nationality and sex, still on the biased labels.
    "drop_column": {"q6": (
        'X_u = design(train, ["channel"] + FILE)\n'
        'relabelled = LogisticRegression(max_iter=2000).fit(X_u, train["granted"])\n'
        'prob_relabelled = relabelled.predict_proba(design(audit, ["channel"] + FILE).reindex(columns=X_u.columns, fill_value=0.0))[:, 1]\n'
        'gap_relabelled = MetricFrame(metrics=false_negative_rate, y_true=audit["eligible"], y_pred=prob_relabelled >= 0.5,\n'
        '                             sensitive_features=audit["nationality"]).difference()')},
}

CAUGHT_BY = {
    "single_split": "q1_test", "training_score": "q2_test", "insample_intervals": "q3_test",
    "leak_drivers": "q4_test", "choose_on_test": "q5_test",
    "unconditional_rate": "q1_test", "training_years": "q2_test", "history_as_truth": "q3_test",
    "no_intersection": "q4_test", "drop_column": "q6_test",
}


@pytest.mark.parametrize("assignment, wrong", [("m5-ex1", EX1_WRONG), ("m5-ex2", EX2_WRONG)])
def test_reference_gets_full_marks_and_mistakes_lose_points(assignment, wrong, tmp_path):
    results = grade(SOURCE / assignment, {"ref": {}, **wrong}, tmp_path)
    assert_proven(assignment, results, {student: CAUGHT_BY[student] for student in wrong})
