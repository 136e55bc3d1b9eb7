"""Answers passed from the learner's kernel to the tests as data only (quick layer)."""
import datetime
import json
import sys

import numpy as np
import pandas as pd
import pytest

from labgrade import answer_export, answer_import
from labgrade import testrunner
from labgrade.split import calls_of, imported_modules, names_in


def round_trip(namespace, names=None, calls=None):
    payload = {"cell": "t", **answer_export.encode(namespace, names or list(namespace), calls)}
    return answer_import.loads(json.dumps(payload, allow_nan=False))


VALUES = {
    "count": 3, "share": 0.25, "nothing": float("nan"), "code": "XLM", "none": None, "yes": True,
    "nested": [1, (2, "a"), {3}, frozenset({4})], "mapping": {"XLM": 1, 2: [3.5]},
    "day": datetime.date(2025, 6, 30), "moment": datetime.datetime(2025, 6, 30, 12),
    "np_float": np.float32(1.5), "np_int": np.int64(7), "np_bool": np.bool_(True),
    "matrix": np.array([[1, 2], [3, 4]]), "floats": np.array([1.0, np.nan, np.inf]),
    "texts": np.array(["a", "bc"]), "when": np.datetime64("2020-01-01"),
    "stamp": pd.Timestamp("2024-02-01"), "span": pd.Timedelta("3D"), "month": pd.Period("2024-01", "M"),
    "series": pd.Series([1.0, 2.0], index=pd.Index(["XLM", "XNB"], name="country"), name="stock"),
    "monthly": pd.Series([1, 2, 3], index=pd.date_range("2020-01-01", periods=3, freq="MS")),
    "frame": pd.DataFrame(
        {"group": pd.Categorical(["a", "b", "a"], categories=["b", "a"], ordered=True),
         "n": [1, 2, 3], "label": pd.array(["u", None, "w"], dtype="string"),
         "text": pd.Series(["p", None, "r"], dtype="str"),
         "date": pd.to_datetime(["2020-01-01", None, "2021-05-03"]),
         "maybe": pd.array([1, None, 3], dtype="Int64"),
         "zoned": pd.to_datetime(["2020-01-01", "2020-06-01", None]).tz_localize("Europe/Paris"),
         "periods": pd.period_range("2020-01", periods=3, freq="M"),
         "objects": pd.Series([1, "a", None], dtype=object)},
        index=pd.MultiIndex.from_tuples([(1, "a"), (1, "b"), (2, "a")], names=["n", "m"])),
    "wide": pd.DataFrame({("a", 1): [1], ("a", 2): [2.0]}),
    "range": pd.RangeIndex(2, 10, 2, name="r"),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_come_back_equal_with_their_types(name):
    original, back = VALUES[name], round_trip({name: VALUES[name]})["values"][name]
    if isinstance(original, pd.DataFrame):
        pd.testing.assert_frame_equal(back, original, check_freq=True)
    elif isinstance(original, pd.Series):
        pd.testing.assert_series_equal(back, original, check_freq=True)
    elif isinstance(original, pd.Index):
        pd.testing.assert_index_equal(back, original, exact=True)
    elif isinstance(original, np.ndarray):
        assert back.dtype == original.dtype and back.shape == original.shape
        np.testing.assert_array_equal(back, original)
    elif isinstance(original, float) and np.isnan(original):
        assert np.isnan(back)
    else:
        assert back == original and type(back) is type(original)


def test_subclasses_come_back_as_their_plain_base_type():
    class Yes(float):
        def __eq__(self, other):
            return True
        __hash__ = float.__hash__

    class MyFrame(pd.DataFrame):
        pass

    back = round_trip({"share": Yes(0.5), "table": MyFrame({"a": [1]})})["values"]
    assert type(back["share"]) is float and back["share"] == 0.5 and back["share"] != 0.48
    assert type(back["table"]) is pd.DataFrame


def test_what_is_not_data_is_named_with_a_reason():
    import os

    class Own:
        pass

    got = round_trip({"f": os, "obj": Own(), "gen": (i for i in range(3))}, ["f", "obj", "gen", "lost"])
    assert got["problems"]["f"] == "it is a builtins.module object"
    assert "test_what_is_not_data_is_named_with_a_reason.<locals>.Own" in got["problems"]["obj"]
    assert "generator" in got["problems"]["gen"]
    assert got["missing"] == ["lost"] and got["values"] == {}


def test_a_value_that_fails_when_read_is_named():
    class Broken(list):
        def __iter__(self):
            raise RuntimeError("no items today")

    got = round_trip({"items": Broken([1])})
    assert "reading it raised RuntimeError: no items today" in got["problems"]["items"]


def test_size_and_depth_are_bounded(monkeypatch):
    monkeypatch.setattr(answer_export, "MAX_ITEMS", 100)
    got = round_trip({"big": list(range(1000))})
    assert "more than 100 values" in got["problems"]["big"]
    deep = []
    for _ in range(50):
        deep = [deep]
    assert "nested more than" in round_trip({"deep": deep})["problems"]["deep"]


def test_a_function_the_tests_call_is_run_in_the_learners_kernel():
    namespace = {"ARRIVALS": [120, 80, 50], "total": lambda xs: sum(xs),
                 "fail": lambda x: 1 / x}
    calls = {"total": [{"args": ["[1, 2]"], "kwargs": {}}, {"args": ["ARRIVALS"], "kwargs": {}},
                       {"args": ["_mine"], "kwargs": {}}],
             "fail": [{"args": ["0"], "kwargs": {}}]}
    back = round_trip(namespace, ["total", "fail"], calls)["values"]
    assert back["total"]([1, 2]) == 3 and back["total"]([120, 80, 50]) == 250
    with pytest.raises(answer_import.AnswerNotPassed, match="did not run your function"):
        back["total"]([5])
    with pytest.raises(ZeroDivisionError):
        back["fail"](0)


@pytest.mark.parametrize("text, why", [
    ('{"values": {"x": {"$": "eval", "v": "1"}}}', "unknown kind of value 'eval'"),
    ('{"values": {"x": {"$": "ndarray", "shape": [2], "values": {"kind": "numeric", "dtype": "O", "v": [1, 2]}}}}',
     "not a numeric type"),
    ('{"values": {"x": {"$": "float", "v": "__import__"}}}', "not a float"),
    ('{"values": {"x": {"$": "series", "index": {"$": "rangeindex", "name": null, "v": [0, 1, 1]}, '
     '"name": null, "values": {"kind": "extension", "dtype": "object", "v": []}}}}', "not a supported pandas type"),
])
def test_forged_data_is_refused_not_run(text, why):
    got = answer_import.loads(text)
    assert why in got["problems"]["x"] and got["values"] == {}


def test_data_that_is_not_an_answers_object_is_refused():
    with pytest.raises(answer_import.BadAnswerData):
        answer_import.loads("[1, 2]")
    with pytest.raises(answer_import.BadAnswerData):
        answer_import.loads("not json")


def test_names_in_a_cell():
    read, bound = names_in("import migstats as _ms\n_x = total(ARRIVALS)\n"
                           "def f(a):\n    return a + b\n%time y = 1\n"  # a magic's own code is not read
                           "try:\n    pass\nexcept ValueError as err:\n    pass")
    assert {"total", "ARRIVALS", "b", "ValueError"} <= read
    assert {"_ms", "_x", "f", "a", "err"} <= bound


def test_modules_that_cells_import():
    cells = ["import numpy as np\nimport migstats.datasets\n%time import json",
             "from migstats import flows, protection as sdc\nfrom . import local\n"
             "def f():\n    import hmac"]
    # a magic's own code is not read (json), nor a relative import
    assert imported_modules(cells) == ["hmac", "migstats", "migstats.datasets", "migstats.flows",
                                       "migstats.protection", "numpy"]


def test_the_tests_process_imports_what_the_cells_import(monkeypatch):
    monkeypatch.setattr(testrunner, "new_shell", lambda: None)
    monkeypatch.delitem(sys.modules, "wave", raising=False)  # gone again after the test
    # a name that is not a module (a function) or does not import is left to the cell
    testrunner.warm_up(["wave", "wave.open", "no_such_module_here"])
    assert "wave" in sys.modules and "no_such_module_here" not in sys.modules


def test_calls_of_a_function_name():
    calls = calls_of("assert total([1, 2]) == 3\nassert total(xs=ARRIVALS) == 250\nlen([])",
                     ["total"])
    assert calls == {"total": [{"args": ["[1, 2]"], "kwargs": {}},
                               {"args": [], "kwargs": {"xs": "ARRIVALS"}}]}
