"""Read the data package, type a table by its Table Schema, and check it fast.

The checks are vectorised pandas code, so a dataset loads and validates in well
under a second. The tests use the ``frictionless`` library as the reference
validator of the committed files, so the two must agree.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "datasets"
REGENERATE = "Regenerate the files with: python datasets/generate.py"


class SchemaError(ValueError):
    """A data file does not match its Table Schema."""


def package(data_dir=DATA_DIR):
    """The data package descriptor (``datapackage.json``) as a dict."""
    path = Path(data_dir) / "datapackage.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. It describes the datasets and is part of the repository; "
                                "restore it with git (git checkout -- datasets/datapackage.json).")
    return json.loads(path.read_text(encoding="utf-8"))


def resource(name, data_dir=DATA_DIR):
    """The descriptor of one resource; a clear error for an unknown name."""
    resources = {r["name"]: r for r in package(data_dir)["resources"]}
    if name not in resources:
        raise KeyError(f"unknown dataset {name!r}. Valid names: {', '.join(resources)}.")
    return resources[name]


def allowed(field):
    """Allowed values or range of a field, in words."""
    c = field.get("constraints", {})
    if "enum" in c:
        return ", ".join(str(v) for v in c["enum"])
    if "minimum" in c and "maximum" in c:
        return f"{c['minimum']} to {c['maximum']}"
    if "minimum" in c:
        return f"at least {c['minimum']}"
    if "maximum" in c:
        return f"at most {c['maximum']}"
    if "pattern" in c:
        return f"pattern {c['pattern']}"
    if field["type"] == "boolean":
        return ", ".join(field.get("trueValues", ["true"]) + field.get("falseValues", ["false"]))
    return ""


def read(name, data_dir=DATA_DIR):
    """Read, check and type one resource. See ``migstats.datasets.load``."""
    res = resource(name, data_dir)
    path = Path(data_dir) / res["path"]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. {REGENERATE}")
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    raw = _read_csv(path, fields)
    if list(raw.columns) != names:
        raise SchemaError(f"{path.name}: the columns are {list(raw.columns)}, but the schema expects {names}. {REGENERATE}")
    df = pd.DataFrame({f["name"]: _column(raw[f["name"]], f, path.name) for f in fields})
    for key in [res["schema"].get("primaryKey")] + [[f["name"]] for f in fields if f.get("constraints", {}).get("unique")]:
        if key and df.duplicated(subset=key).any():
            dup = df.loc[df.duplicated(subset=key, keep=False), key].head(3)
            _fail(path.name, ", ".join(key), "unique", dup.to_dict("records"), dup.index)
    return df


def _read_csv(path, fields):
    """Read numeric columns as numbers (fast); if that fails, read all as text so the checks can say why."""
    numeric = {f["name"]: "float64" for f in fields if f["type"] in ("integer", "number")}
    options = dict(keep_default_na=False, na_values=[""], engine="pyarrow")
    try:
        header = pd.read_csv(path, nrows=0).columns
        if list(header) == [f["name"] for f in fields]:
            return pd.read_csv(path, dtype={name: numeric.get(name, "str") for name in header}, **options)
    except ValueError:  # a value that is not a number: the text reading below finds and names it
        pass
    return pd.read_csv(path, dtype="str", **options)


def _fail(file, column, rule, values, rows):
    rows = ", ".join(str(i + 2) for i in list(rows)[:5])  # +2: header line, 1-based
    raise SchemaError(f"{file}: column '{column}' breaks the rule '{rule}' with values {list(values)[:5]} "
                      f"(file lines {rows}). Fix the file or {REGENERATE[0].lower() + REGENERATE[1:]}.")


def _column(s, field, file):
    """Convert one string column to its typed form and check its constraints."""
    name, kind, c = field["name"], field["type"], field.get("constraints", {})
    missing = s.isna()
    if c.get("required") and missing.any():
        _fail(file, name, "required", ["(empty)"], s.index[missing])
    if kind in ("integer", "number"):
        values = s if pd.api.types.is_float_dtype(s) else pd.to_numeric(s, errors="coerce")
        bad = values.isna() & ~missing
        if kind == "integer":
            bad |= values.notna() & (values % 1 != 0)
        if bad.any():
            _fail(file, name, f"type {kind}", s[bad].unique(), s.index[bad])
        if kind == "integer":
            values = values.astype("Int64") if missing.any() or not c.get("required") else values.astype("int64")
        else:
            values = values.astype("float64")
    elif kind == "date":
        values = pd.to_datetime(s, format=field.get("format", "%Y-%m-%d"), errors="coerce")
        bad = values.isna() & ~missing
        if bad.any():
            _fail(file, name, "type date (YYYY-MM-DD)", s[bad].unique(), s.index[bad])
    elif kind == "boolean":
        truth = {v: True for v in field.get("trueValues", ["true"])} | {v: False for v in field.get("falseValues", ["false"])}
        values = s.map(truth)
        bad = values.isna() & ~missing
        if bad.any():
            _fail(file, name, f"type boolean ({', '.join(truth)})", s[bad].unique(), s.index[bad])
        values = values.astype("bool") if c.get("required") else values.astype("boolean")
    else:
        values = s
    if "enum" in c:
        enum = c["enum"]
        bad = ~values.isin(enum) & ~missing
        if bad.any():
            _fail(file, name, f"enum {enum}", s[bad].unique(), s.index[bad])
        if kind == "string":
            values = pd.Categorical(values, categories=enum, ordered=field.get("categoriesOrdered", False))
    for rule, op in (("minimum", np.less), ("maximum", np.greater)):
        if rule in c:
            limit = pd.Timestamp(c[rule]) if kind == "date" else c[rule]
            bad = op(values, limit).fillna(False).astype(bool)
            if bad.any():
                _fail(file, name, f"{rule} {c[rule]}", s[bad].unique(), s.index[bad])
    if "pattern" in c:
        bad = ~s.str.fullmatch(c["pattern"]).fillna(True).astype(bool) & ~missing
        if bad.any():
            _fail(file, name, f"pattern {c['pattern']}", s[bad].unique(), s.index[bad])
    return values
