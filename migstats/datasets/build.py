"""Generate every dataset from one seed and write the CSV files byte for byte the same each time.

Each dataset draws from its own random stream (``default_rng([seed, k])``), so
changing one generator does not change the others. Values are written with a
fixed format per schema type: integers as digits, numbers with two decimals,
dates as YYYY-MM-DD, booleans as true/false, missing values as empty cells.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from . import border, census, flows, monthly_flows, permits, trafficking, triage
from .schema import DATA_DIR, package, read

DEFAULT_SEED = 20250630


def generate_all(seed=DEFAULT_SEED):
    """All datasets as DataFrames, by name."""
    def rng(k):
        return np.random.default_rng([seed, k])

    out = flows.tables(rng(1))
    stocks = out["bilateral_stocks"]
    lamaria_2025 = stocks[(stocks["year"] == 2025) & (stocks["place_of_residence"] == "XLM")]
    out["census_sample"] = census.generate(rng(2), lamaria_2025.set_index("place_of_birth")["stock"])
    out["border_crossings"], out["border_truth"] = border.generate(rng(3))
    out["residence_permits"] = permits.generate(rng(4))
    out["trafficking_cases_raw"], out["trafficking_cases"] = trafficking.generate(rng(5))
    (out["monthly_flows"], out["monthly_flows_future"], out["flow_drivers"],
     out["digital_signals"]) = monthly_flows.generate(rng(6))
    out["triage_cases"] = triage.generate(rng(7))
    return out


def _format(s, field):
    """Text of one column, in the fixed format of its schema type."""
    kind = field["type"]
    missing = s.isna()
    if kind == "integer":
        text = s.astype("Int64").astype("str")
    elif kind == "number":
        text = s.map(lambda v: f"{v:.2f}")
    elif kind == "date":
        text = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
    elif kind == "boolean":
        text = s.map({True: "true", False: "false"})
    else:
        text = s.astype("str")
    return text.where(~missing, "")


def write_csv(df, res, out_dir):
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    if sorted(df.columns) != sorted(names):
        raise ValueError(f"{res['name']}: generator columns {list(df.columns)} differ from the schema {names}")
    text = pd.DataFrame({f["name"]: _format(df[f["name"]], f) for f in fields})
    path = Path(out_dir) / res["path"]
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def main(seed=DEFAULT_SEED, out_dir=DATA_DIR):
    """Write every resource of the package into ``out_dir`` and check it against the schema."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pkg = package()
    if out_dir.resolve() != DATA_DIR.resolve():
        (out_dir / "datapackage.json").write_text((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    tables = generate_all(seed)
    for res in pkg["resources"]:
        write_csv(tables[res["name"]], res, out_dir)
        read(res["name"], out_dir)
    return [out_dir / r["path"] for r in pkg["resources"]]
