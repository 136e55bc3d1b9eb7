"""Rebuild a learner's answers from the data that :mod:`labgrade.answer_export` made.

This runs in the TESTS' process, which never runs learner code. Reading is data only: JSON is
parsed, then each value is built from its tag with numpy and pandas constructors. Nothing the
learner wrote is executed, imported or unpickled, and every value comes back as a plain built-in,
numpy or pandas object.
"""

import datetime
import json

import numpy as np
import pandas as pd

import builtins

from .answer_export import Encoder, call_key

EXTENSION_DTYPES = {"string", "str", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16",
                    "UInt32", "UInt64", "Float32", "Float64", "boolean"}


class BadAnswerData(ValueError):
    """The data do not describe a value labgrade can rebuild."""


def loads(text):
    """The payload of one test cell: {"cell", "values": {name: value}, "missing", "problems"}."""
    try:
        return read_payload(json.loads(text))
    except BadAnswerData:
        raise
    except (KeyError, TypeError, ValueError, IndexError, OverflowError, RecursionError) as error:
        raise BadAnswerData(f"the answers could not be read: {type(error).__name__}: {error}") from None


def read_payload(payload):
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), dict):
        raise BadAnswerData("the answers are not a JSON object with 'values'")
    values, problems = {}, {str(k): str(v) for k, v in dict(payload.get("problems", {})).items()}
    for name, data in payload["values"].items():
        try:
            values[str(name)] = value(data)
        except (BadAnswerData, KeyError, TypeError, ValueError, IndexError, OverflowError,
                RecursionError) as error:
            problems[str(name)] = f"it could not be rebuilt from its data ({error})"
    return {"cell": str(payload.get("cell", "")), "values": values,
            "missing": [str(n) for n in payload.get("missing", [])], "problems": problems}


def value(data):
    """One value from its JSON form."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("$"), str):
        raise BadAnswerData(f"not an encoded value: {str(data)[:80]}")
    build = BUILDERS.get(data["$"])
    if build is None:
        raise BadAnswerData(f"unknown kind of value {data['$']!r}")
    return build(data)


def number(data):
    if isinstance(data, dict) and data.get("$") == "float":
        if data["v"] not in ("nan", "inf", "-inf"):
            raise BadAnswerData(f"not a float: {data['v']!r}")
        return float(data["v"])
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        raise BadAnswerData(f"not a number: {str(data)[:80]}")
    return data


def array(data):
    """A numpy array or pandas extension array from one encoded column."""
    kind = data["kind"]
    if kind == "numeric":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in "biufc":
            raise BadAnswerData(f"not a numeric type: {data['dtype']!r}")
        items = [complex(number(v[0]), number(v[1])) for v in data["v"]] if dtype.kind == "c" \
            else [number(v) if dtype.kind == "f" else v for v in data["v"]]
        return np.array(items, dtype=dtype)
    if kind == "time":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in "mM":
            raise BadAnswerData(f"not a time type: {data['dtype']!r}")
        return np.array([int(v) for v in data["v"]], dtype="i8").view(dtype)
    if kind == "text":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in "US":
            raise BadAnswerData(f"not a text type: {data['dtype']!r}")
        items = data["v"] if dtype.kind == "U" else [bytes.fromhex(v) for v in data["v"]]
        return np.array(items, dtype=dtype)
    if kind == "object":
        out = np.empty(len(data["v"]), dtype=object)
        out[:] = [value(v) for v in data["v"]]
        return out
    if kind == "extension":
        if data["dtype"] not in EXTENSION_DTYPES:
            raise BadAnswerData(f"not a supported pandas type: {data['dtype']!r}")
        return pd.array([None if v is None else value(v) for v in data["v"]], dtype=data["dtype"])
    if kind == "category":
        categories = array(data["categories"])
        return pd.Categorical.from_codes([int(c) for c in data["codes"]], categories=categories,
                                         ordered=bool(data["ordered"]))
    if kind == "datetimetz":
        stamps = pd.to_datetime([None if v is None else int(v) for v in data["v"]], utc=True)
        return pd.DatetimeIndex(stamps).tz_convert(str(data["tz"])).as_unit(str(data["unit"])).array
    if kind == "period":
        if not str(data["dtype"]).startswith("period["):
            raise BadAnswerData(f"not a period type: {data['dtype']!r}")
        return pd.arrays.PeriodArray(np.array([pd.NaT.value if v is None else int(v)
                                               for v in data["v"]], dtype="i8"),
                                     dtype=pd.api.types.pandas_dtype(str(data["dtype"])))
    raise BadAnswerData(f"unknown kind of column {kind!r}")


def index(data):
    tag = data["$"]
    if tag == "rangeindex":
        start, stop, step = (int(v) for v in data["v"])
        return pd.RangeIndex(start, stop, step, name=value(data["name"]))
    if tag == "multiindex":
        return pd.MultiIndex.from_arrays([array(level) for level in data["levels"]],
                                         names=[value(n) for n in data["names"]])
    if tag == "index":
        result = pd.Index(array(data["values"]), name=value(data["name"]), copy=False)
        if data.get("freq") and isinstance(result, pd.DatetimeIndex):
            result.freq = str(data["freq"])
        return result
    raise BadAnswerData(f"not an index: {tag!r}")


class AnswerNotPassed(Exception):
    """The tests called a learner's function on inputs it was not run on."""


def function(data):
    """A stand-in for a learner's function: it gives the results the function gave."""
    outcomes = {str(key): outcome for key, outcome in data["calls"]}

    def learner_function(*args, **kwargs):
        outcome = outcomes.get(call_key(Encoder(), args, kwargs))
        if outcome is None:
            raise AnswerNotPassed("labgrade did not run your function on these inputs")
        if "error" in outcome:
            name, message = (str(v) for v in outcome["error"])
            error = getattr(builtins, name, None)
            if not (isinstance(error, type) and issubclass(error, Exception)):
                error, message = RuntimeError, f"{name}: {message}"
            raise error(message)
        return value(outcome["result"])

    return learner_function


def frame(data):
    columns = index(data["columns"])
    out = pd.DataFrame({i: array(col) for i, col in enumerate(data["data"])},
                       index=index(data["index"]))
    if out.shape[1] != len(columns):
        raise BadAnswerData("a table has more column names than columns")
    out.columns = columns
    return out


def series(data):
    return pd.Series(array(data["values"]), index=index(data["index"]), name=value(data["name"]),
                     copy=False)


BUILDERS = {
    "float": number,
    "complex": lambda d: complex(number(d["re"]), number(d["im"])),
    "bytes": lambda d: bytes.fromhex(d["v"]),
    "list": lambda d: [value(v) for v in d["v"]],
    "tuple": lambda d: tuple(value(v) for v in d["v"]),
    "set": lambda d: {value(v) for v in d["v"]},
    "frozenset": lambda d: frozenset(value(v) for v in d["v"]),
    "dict": lambda d: {value(k): value(v) for k, v in d["v"]},
    "datetime": lambda d: datetime.datetime.fromisoformat(d["v"]),
    "date": lambda d: datetime.date.fromisoformat(d["v"]),
    "timedelta": lambda d: datetime.timedelta(*(int(v) for v in d["v"])),
    "function": function,
    "frame": frame,
    "series": series,
    "index": index,
    "rangeindex": index,
    "multiindex": index,
    "NaT": lambda d: pd.NaT,
    "NA": lambda d: pd.NA,
    "timestamp": lambda d: pd.Timestamp(d["v"]),
    "timedelta64": lambda d: pd.Timedelta(int(d["v"])),
    "period": lambda d: pd.Period(d["v"], freq=d["freq"]),
    "ndarray": lambda d: array(d["values"]).reshape([int(n) for n in d["shape"]]),
    "npscalar": lambda d: array(d["values"])[0],
}
