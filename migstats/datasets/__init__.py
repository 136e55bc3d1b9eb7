"""The synthetic datasets of the course: load them, list them, describe them.

All data are SYNTHETIC: a fictional reporting country, Lamaria (code XLM), and
12 fictional partner countries, made by a seeded generator
(``python datasets/generate.py``). No real person's data.

>>> import migstats.datasets as ds
>>> ds.list()                      # the names and titles
>>> census = ds.load("census_sample")
>>> ds.describe("census_sample")   # the schema as a table
"""

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .schema import DATA_DIR, SchemaError, allowed, package, read, resource
from .world import COUNTRIES, REPORTING_COUNTRY, STATELESS

__all__ = ["load", "list", "describe", "countries", "SchemaError", "REPORTING_COUNTRY", "STATELESS"]


def load(name, data_dir=DATA_DIR):
    """Load one dataset as a typed DataFrame, checked against its Table Schema.

    Fields with a fixed list of text values become categoricals (ordered where
    the order means something, such as education); dates become datetimes;
    integers that can be missing use the nullable ``Int64`` type (this includes
    the coded Washington Group answers 1 to 4).

    Raises ``KeyError`` for an unknown name (the message lists the valid ones),
    ``FileNotFoundError`` for a missing file (the message says how to
    regenerate it) and ``SchemaError`` when the file no longer matches its
    schema (the message names the column, the rule and the bad values).

    A file read once is kept in memory: the next call returns a copy of it, so
    changing the table you get never changes what the next call gives.
    """
    path = Path(data_dir) / resource(name, data_dir)["path"]
    stamp = path.stat() if path.exists() else None
    version = (stamp.st_mtime_ns, stamp.st_size) if stamp else None
    return _read_cached(name, str(Path(data_dir).resolve()), version).copy()


@lru_cache(maxsize=32)
def _read_cached(name, data_dir, version):
    """One checked read per file version (``version``: modification time and size)."""
    return read(name, data_dir)


def read_all(data_dir=DATA_DIR):
    """Read every dataset once: later calls of `load`, here or in a process forked from this
    one (labgrade's tests' server), then only copy them."""
    for name in list(data_dir)["name"]:
        load(name, data_dir)


def list(data_dir=DATA_DIR):  # noqa: A001 - the name the course uses
    """The datasets: name, title, number of columns and description."""
    rows = [(r["name"], r["title"], len(r["schema"]["fields"]), r["description"])
            for r in package(data_dir)["resources"]]
    return pd.DataFrame(rows, columns=["name", "title", "columns", "description"])


def describe(name, data_dir=DATA_DIR):
    """The schema of one dataset as a table: column, type, allowed values or range, unit, description.

    For datasets with quasi-identifiers, a ``role`` column says which columns
    are direct identifiers, quasi-identifiers or sensitive.
    """
    res = resource(name, data_dir)
    fields = res["schema"]["fields"]
    table = pd.DataFrame({
        "column": [f["name"] for f in fields],
        "type": [f["type"] for f in fields],
        "required": [bool(f.get("constraints", {}).get("required")) for f in fields],
        "allowed": [allowed(f) for f in fields],
        "unit": [f.get("unit", "") for f in fields],
        "description": [f["description"] for f in fields],
    })
    if "quasiIdentifiers" in res:
        def role(col):
            if col in res["quasiIdentifiers"]:
                return "quasi-identifier"
            if col in res.get("sensitiveAttributes", []):
                return "sensitive"
            return "direct identifier" if col in ("full_name", "phone", "date_of_birth") else ""
        table.insert(1, "role", table["column"].map(role))
    return table


def countries():
    """The fictional countries: code, name and profile."""
    return pd.DataFrame([(code, name, profile) for code, (name, profile) in COUNTRIES.items()],
                        columns=["code", "name", "profile"])
