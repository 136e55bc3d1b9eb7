"""Turn a learner's answers into data only: JSON that no reader can execute.

This file runs inside the LEARNER's kernel (labgrade executes its source there, so it imports
nothing from labgrade). ``publish(namespace, names, cell)`` encodes each named value and shows the
result as one output of MIME type ``MIME``; the grader reads that output and passes it to the
tests' process, which rebuilds the values with :mod:`labgrade.answer_import`.

A function that a test calls is run here, in the learner's kernel, on the inputs the test gives
it (literals and setup names), and its results are passed over instead of its code.

Only plain values are encoded: None, bool, int, float, complex, str, bytes, lists, tuples, sets,
dicts, dates, numpy scalars and arrays, and pandas Series, DataFrames, indexes, timestamps and
periods. A subclass is encoded as its base type (its own methods never reach the tests). Anything
else (a function, a module, an object of the learner's own class) is named with a reason, and its
test cell is graded zero with that reason.
"""

import datetime
import json
import math

MIME = "application/x-labgrade-answers"
MAX_ITEMS = 5_000_000  # values in all the answers of one test cell
MAX_DEPTH = 30


class Unencodable(Exception):
    """A value that cannot be passed to the tests as data."""


class Encoder:
    """Encodes values into JSON-ready structures, counting items to bound the size."""

    def __init__(self):
        self.items = 0

    def count(self, n):
        self.items += n
        if self.items > MAX_ITEMS:
            raise Unencodable(f"it holds more than {MAX_ITEMS:,} values")

    def value(self, obj, depth=0):
        if depth > MAX_DEPTH:
            raise Unencodable(f"it is nested more than {MAX_DEPTH} levels deep")
        self.count(1)
        if obj is None or isinstance(obj, bool):
            return obj if obj is None else bool(obj)
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float_value(float(obj))
        if isinstance(obj, complex):
            return {"$": "complex", "re": float_value(obj.real), "im": float_value(obj.imag)}
        if isinstance(obj, str):
            return str(obj)
        if isinstance(obj, bytes):
            return {"$": "bytes", "v": bytes(obj).hex()}
        if isinstance(obj, (list, tuple, set, frozenset)):
            kind = next(k for k in (list, tuple, set, frozenset) if isinstance(obj, k)).__name__
            items = sorted(obj, key=repr) if kind in ("set", "frozenset") else list(obj)
            return {"$": kind, "v": [self.value(item, depth + 1) for item in items]}
        if isinstance(obj, dict):
            return {"$": "dict", "v": [[self.value(k, depth + 1), self.value(v, depth + 1)]
                                       for k, v in dict(obj).items()]}
        if type(obj).__module__.split(".")[0] in ("pandas", "numpy"):
            return self.library_value(obj, depth)
        if isinstance(obj, datetime.datetime):
            return {"$": "datetime", "v": datetime.datetime.isoformat(obj)}
        if isinstance(obj, datetime.date):
            return {"$": "date", "v": datetime.date.isoformat(obj)}
        if isinstance(obj, datetime.timedelta):
            return {"$": "timedelta", "v": [obj.days, obj.seconds, obj.microseconds]}
        return self.library_value(obj, depth)

    def library_value(self, obj, depth):
        """numpy and pandas values (imported only when the learner's kernel has them)."""
        import sys
        np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
        if pd is not None:
            if isinstance(obj, pd.DataFrame):
                frame = pd.DataFrame(obj)
                self.count(frame.size)
                return {"$": "frame", "index": self.index(frame.index, depth),
                        "columns": self.index(frame.columns, depth),
                        "data": [self.array(frame.iloc[:, i].array, depth)
                                 for i in range(frame.shape[1])]}
            if isinstance(obj, pd.Series):
                series = pd.Series(obj)
                self.count(len(series))
                return {"$": "series", "index": self.index(series.index, depth),
                        "name": self.value(series.name, depth + 1),
                        "values": self.array(series.array, depth)}
            if isinstance(obj, pd.Index):
                return self.index(obj, depth)
            if obj is pd.NaT:
                return {"$": "NaT"}
            if obj is pd.NA:
                return {"$": "NA"}
            if isinstance(obj, pd.Timestamp):
                return {"$": "timestamp", "v": pd.Timestamp.isoformat(obj)}
            if isinstance(obj, pd.Timedelta):
                return {"$": "timedelta64", "v": str(int(obj.value))}
            if isinstance(obj, pd.Period):
                return {"$": "period", "v": str(obj), "freq": obj.freqstr}
        if np is not None:
            if isinstance(obj, np.ndarray):
                array = np.asarray(obj)
                self.count(array.size)
                return {"$": "ndarray", "shape": list(array.shape),
                        "values": self.array(array.reshape(-1), depth)}
            if isinstance(obj, np.generic):
                return {"$": "npscalar", "values": self.array(np.asarray([obj]), depth)}
        raise Unencodable(f"it is a {type(obj).__module__}.{type(obj).__qualname__} object")

    def index(self, index, depth):
        import pandas as pd
        self.count(len(index))
        if isinstance(index, pd.MultiIndex):
            return {"$": "multiindex", "names": [self.value(n, depth + 1) for n in index.names],
                    "levels": [self.array(index.get_level_values(i).array, depth)
                               for i in range(index.nlevels)]}
        if isinstance(index, pd.RangeIndex):
            return {"$": "rangeindex", "name": self.value(index.name, depth + 1),
                    "v": [int(index.start), int(index.stop), int(index.step)]}
        freq = getattr(index, "freqstr", None) if isinstance(index, pd.DatetimeIndex) else None
        return {"$": "index", "name": self.value(index.name, depth + 1), "freq": freq,
                "values": self.array(index.array, depth)}

    def array(self, values, depth):
        """One column of values with its dtype: the numbers as they are stored."""
        import numpy as np
        import pandas as pd
        if isinstance(values, pd.arrays.NumpyExtensionArray):
            values = values.to_numpy()
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cat = pd.Categorical(values)
            return {"kind": "category", "ordered": bool(dtype.ordered),
                    "categories": self.array(pd.Index(cat.categories).array, depth),
                    "codes": [int(c) for c in cat.codes]}
        if isinstance(dtype, pd.DatetimeTZDtype):
            stamps = pd.DatetimeIndex(values)
            return {"kind": "datetimetz", "tz": str(dtype.tz), "unit": dtype.unit,
                    "v": [None if pd.isna(t) else int(t.value) for t in stamps.tz_convert("UTC")]}
        if isinstance(dtype, pd.PeriodDtype):
            return {"kind": "period", "dtype": str(dtype),
                    "v": [None if pd.isna(p) else int(p.ordinal) for p in values]}
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(dtype, np.dtype):
            name = str(dtype)
            if name not in ("string", "str", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16",
                            "UInt32", "UInt64", "Float32", "Float64", "boolean"):
                raise Unencodable(f"its values have the pandas type {name!r}")
            return {"kind": "extension", "dtype": name,
                    "v": [None if pd.isna(v) else self.value(v, depth + 1) for v in values]}
        array = np.asarray(values)
        if array.dtype.kind in "biuf":
            return {"kind": "numeric", "dtype": array.dtype.str,
                    "v": [float_value(v) if array.dtype.kind == "f" else v for v in array.tolist()]}
        if array.dtype.kind == "c":
            return {"kind": "numeric", "dtype": array.dtype.str,
                    "v": [[float_value(v.real), float_value(v.imag)] for v in array.tolist()]}
        if array.dtype.kind in "mM":
            return {"kind": "time", "dtype": array.dtype.str, "v": array.view("i8").tolist()}
        if array.dtype.kind in "US":
            return {"kind": "text", "dtype": array.dtype.str,
                    "v": [str(v) if array.dtype.kind == "U" else bytes(v).hex() for v in array.tolist()]}
        if array.dtype.kind == "O":
            return {"kind": "object", "v": [self.value(v, depth + 1) for v in array.tolist()]}
        raise Unencodable(f"its values have the numpy type {array.dtype}")


def float_value(x):
    """A float as JSON: numbers as they are, NaN and infinities as text."""
    return x if math.isfinite(x) else {"$": "float", "v": repr(x)}


def call_key(encoder, args, kwargs):
    """The text that identifies one call by its inputs."""
    return json.dumps(encoder.value([list(args), sorted(kwargs.items())]), sort_keys=True,
                      allow_nan=False)


def function_results(encoder, function, calls, namespace):
    """Run ``function`` on the inputs of each call of the test (their source code)."""
    results = []
    for call in calls:
        try:
            args = [eval(src, namespace) for src in call["args"]]
            kwargs = {k: eval(src, namespace) for k, src in call["kwargs"].items()}
        except Exception:  # the test's inputs use names of its own: the call is not known
            continue
        key = call_key(Encoder(), args, kwargs)
        try:
            outcome = {"result": encoder.value(function(*args, **kwargs))}
        except Unencodable:
            raise
        except Exception as error:
            outcome = {"error": [type(error).__name__, str(error)]}
        results.append([key, outcome])
    return {"$": "function", "calls": results}


def encode(namespace, names, calls=None):
    """{"values": {name: encoded}, "missing": [names], "problems": {name: reason}}.

    ``calls`` maps the name of a function to the calls the test makes of it (see
    :func:`function_results`).
    """
    encoder, result = Encoder(), {"values": {}, "missing": [], "problems": {}}
    calls = calls or {}
    for name in names:
        if name not in namespace:
            result["missing"].append(name)
            continue
        try:
            obj = namespace[name]
            if callable(obj) and not isinstance(obj, type) and calls.get(name):
                result["values"][name] = function_results(encoder, obj, calls[name], namespace)
                continue
            result["values"][name] = encoder.value(obj)
        except Unencodable as why:
            result["problems"][name] = str(why)
        except Exception as error:  # the learner's object failed while it was read
            result["problems"][name] = f"reading it raised {type(error).__name__}: {error}"
    return result


def publish(namespace, names, cell, calls=None):
    """Show the encoded answers that test cell ``cell`` needs, as one output of type MIME."""
    from IPython.display import display
    payload = {"cell": cell, **encode(namespace, names, calls)}
    display({MIME: json.dumps(payload, allow_nan=False)}, raw=True)
