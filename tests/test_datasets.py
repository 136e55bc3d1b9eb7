"""Tests of the synthetic datasets: reproducible, valid, and true to their datacards."""

import json
import shutil

import frictionless
import numpy as np
import pandas as pd
import pytest

import migstats.datasets as ds
from migstats.datasets import build, trafficking
from migstats.datasets.schema import DATA_DIR, SchemaError

NAMES = [r["name"] for r in json.loads((DATA_DIR / "datapackage.json").read_text())["resources"]]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("regenerated")
    build.main(out_dir=out)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_regeneration_is_byte_identical(regenerated, name):
    committed = (DATA_DIR / f"{name}.csv").read_bytes()
    assert (regenerated / f"{name}.csv").read_bytes() == committed, (
        f"{name}.csv differs from what the generator makes; run python datasets/generate.py and commit")


def test_another_seed_gives_other_data(tmp_path):
    tables = build.generate_all(seed=1)
    assert not tables["true_flows"]["flow"].equals(ds.load("true_flows")["flow"])


def test_frictionless_validates_the_committed_package():
    report = frictionless.validate(str(DATA_DIR / "datapackage.json"))
    errors = [(t.name, e.message) for t in report.tasks for e in t.errors[:3]]
    assert report.valid, errors


def test_every_field_is_described():
    pkg = json.loads((DATA_DIR / "datapackage.json").read_text())
    for res in pkg["resources"]:
        assert "CC-BY-4.0" in json.dumps(res["licenses"])
        for field in res["schema"]["fields"]:
            assert field.get("description", "").strip(), f"{res['name']}.{field['name']} has no description"


@pytest.mark.parametrize("name", NAMES)
def test_load_is_typed(name):
    """Load times are measured by bench/datasets.py, not here."""
    df = ds.load(name)
    schema = ds.describe(name)
    assert list(df.columns) == schema["column"].tolist()
    for field in json.loads((DATA_DIR / "datapackage.json").read_text())["resources"][NAMES.index(name)]["schema"]["fields"]:
        col = df[field["name"]]
        if field["type"] == "string" and "enum" in field.get("constraints", {}):
            assert isinstance(col.dtype, pd.CategoricalDtype)
        if field["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(col)
        if field["type"] == "integer":
            assert pd.api.types.is_integer_dtype(col)


def test_datasets_folder_is_small():
    size = sum(p.stat().st_size for p in DATA_DIR.rglob("*") if p.is_file())
    assert size < 30e6
    for csv in DATA_DIR.glob("*.csv"):
        assert csv.stat().st_size < 5e6, f"{csv.name} is over 5 MB"


# Clear errors -----------------------------------------------------------------

def test_unknown_name_lists_valid_names():
    with pytest.raises(KeyError, match="census_sample"):
        ds.load("census")


@pytest.fixture
def copy_dir(tmp_path):
    shutil.copy(DATA_DIR / "datapackage.json", tmp_path)
    shutil.copy(DATA_DIR / "births.csv", tmp_path)
    return tmp_path


def test_missing_file_says_how_to_regenerate(copy_dir):
    with pytest.raises(FileNotFoundError, match="generate.py"):
        ds.load("deaths", data_dir=copy_dir)


@pytest.mark.parametrize("bad, rule", [
    (("XLM", "XYZ"), "enum"),
    (("births", "birth_count"), "columns"),
    (("2015-2020,XNB", "2015-2021,XNB"), "enum"),
    (("2015-2020,XNB,", "2015-2020,,"), "required"),
])
def test_schema_mismatch_names_column_rule_and_value(copy_dir, bad, rule):
    path = copy_dir / "births.csv"
    path.write_text(path.read_text().replace(*bad, 1))
    with pytest.raises(SchemaError, match=rule):
        ds.load("births", data_dir=copy_dir)


def test_negative_count_is_caught(copy_dir):
    path = copy_dir / "births.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",-5"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError, match=r"'births'.*minimum 0.*-5"):
        ds.load("births", data_dir=copy_dir)


def test_validator_agrees_with_frictionless_on_a_broken_file(copy_dir):
    pkg = json.loads((copy_dir / "datapackage.json").read_text())
    pkg["resources"] = [r for r in pkg["resources"] if r["name"] == "births"]
    (copy_dir / "datapackage.json").write_text(json.dumps(pkg))
    assert frictionless.validate(str(copy_dir / "datapackage.json")).valid
    path = copy_dir / "births.csv"
    path.write_text(path.read_text().replace("2015-2020,XNB,", "2015-2020,XXX,", 1))
    assert not frictionless.validate(str(copy_dir / "datapackage.json")).valid
    with pytest.raises(SchemaError, match="country"):
        ds.load("births", data_dir=copy_dir)


# Module 4: the demographic accounting identity ----------------------------------

def _matrix(df, value, rows, cols, codes):
    return (df.pivot_table(index=rows, columns=cols, values=value, aggfunc="sum", observed=False)
            .reindex(index=codes, columns=codes).fillna(0).to_numpy(dtype="int64"))


@pytest.mark.parametrize("period, start, end", [("2015-2020", 2015, 2020), ("2020-2025", 2020, 2025)])
def test_demographic_accounting_identity_holds_exactly(period, start, end):
    """stock_end[b, r] = stock_start[b, r] + births[r](b == r) - deaths[b, r] + inflow[b, r] - outflow[b, r]."""
    stocks, births, deaths, flows = (ds.load(n) for n in ("bilateral_stocks", "births", "deaths", "true_flows"))
    codes = list(stocks["place_of_birth"].cat.categories)
    s0 = _matrix(stocks[stocks.year == start], "stock", "place_of_birth", "place_of_residence", codes)
    s1 = _matrix(stocks[stocks.year == end], "stock", "place_of_birth", "place_of_residence", codes)
    d = _matrix(deaths[deaths.period == period], "deaths", "place_of_birth", "place_of_residence", codes)
    b = births[births.period == period].set_index("country")["births"].reindex(codes).to_numpy()
    f = flows[flows.period == period]
    inflow = _matrix(f, "flow", "place_of_birth", "destination", codes)
    outflow = _matrix(f, "flow", "place_of_birth", "origin", codes)
    assert (s1 == s0 + np.diag(b) - d + inflow - outflow).all()


def test_stock_differences_miss_some_moves():
    """Return, transit and circular moves cancel out in the stock change, so net change < moves."""
    stocks, flows = ds.load("bilateral_stocks"), ds.load("true_flows")
    f = flows[flows.period == "2020-2025"]
    assert (f["origin"] != f["destination"]).all()
    both_ways = f.merge(f, left_on=["place_of_birth", "origin", "destination"],
                        right_on=["place_of_birth", "destination", "origin"])
    assert ((both_ways.flow_x > 0) & (both_ways.flow_y > 0)).sum() > 50
    transit = f[(f.place_of_birth == "XTM") & (f.origin == "XSV") & (f.destination == "XVD")]["flow"].sum()
    assert transit > 0
    assert stocks["stock"].min() >= 0


# Module 4: reported flows differ from the truth in the documented directions ----

def test_reported_flows_follow_the_documented_practices():
    reported, practices, flows = ds.load("reported_flows"), ds.load("reporting_practices"), ds.load("true_flows")
    truth = flows[flows.period == "2020-2025"]
    for p in practices.itertuples():
        mine = reported[reported.reporting_country == p.country]
        if p.source == "none":
            assert mine.empty
            continue
        rule, share = int(p.duration_rule), float(p.emigration_recorded_share)
        counted = {"all persons": truth.place_of_birth == truth.place_of_birth,
                   "citizens only": truth.place_of_birth == p.country,
                   "foreign citizens only": truth.place_of_birth != p.country}[p.coverage]
        true_in = truth[counted & (truth.destination == p.country)]["flow"].sum()
        true_out = truth[counted & (truth.origin == p.country)]["flow"].sum()
        rep_in = mine[mine.direction == "immigration"]["flow"].sum()
        rep_out = mine[mine.direction == "emigration"]["flow"].sum()
        extra = {3: 1.5, 6: 1.2, 12: 1.0}[rule]
        assert rep_in == pytest.approx(true_in * extra, rel=0.03), p.country
        assert rep_out == pytest.approx(true_out * extra * share, rel=0.03), p.country
        all_in = truth[truth.destination == p.country]["flow"].sum()
        if rule == 3 and p.coverage == "all persons":
            assert rep_in > all_in, f"{p.country}: a 3-month rule should count more immigrants than the 12-month truth"
        if rule == 12 and share < 1:
            assert rep_out < truth[truth.origin == p.country]["flow"].sum(), f"{p.country}: emigration under-recorded"
        if p.coverage != "all persons" and rule == 12:
            assert rep_in < all_in, f"{p.country}: counting only part of the population should count fewer"


def test_mirror_statistics_disagree():
    reported = ds.load("reported_flows")
    imm = reported[reported.direction == "immigration"].groupby(["partner_country", "reporting_country"], observed=True)["flow"].sum()
    emi = reported[reported.direction == "emigration"].groupby(["reporting_country", "partner_country"], observed=True)["flow"].sum()
    imm.index.names = emi.index.names = ["origin", "destination"]
    pairs = pd.concat([imm.rename("receiver"), emi.rename("sender")], axis=1).dropna()
    assert (pairs.receiver > pairs.sender).mean() > 0.6  # emigration is under-counted more often


# Module 3: k-anonymity, l-diversity ----------------------------------------------

def test_published_trafficking_cases_are_5_anonymous():
    pub = ds.load("trafficking_cases")
    sizes = pub.groupby(trafficking.QUASI_IDENTIFIERS, dropna=False, observed=True).size()
    assert sizes.min() >= 5


def test_published_file_has_no_direct_identifiers():
    pub = ds.load("trafficking_cases")
    assert not {"case_id", "full_name", "phone", "date_of_birth"} & set(pub.columns)


def test_raw_trafficking_cases_are_not_k_anonymous():
    raw = ds.load("trafficking_cases_raw")
    sizes = raw.groupby(trafficking.QUASI_IDENTIFIERS, dropna=False, observed=True).size()
    assert sizes.min() == 1 and (sizes < 5).sum() > 100


def test_l_diversity_fails_in_some_published_classes():
    pub = ds.load("trafficking_cases")
    l = pub.groupby(trafficking.QUASI_IDENTIFIERS, dropna=False, observed=True)["type_of_exploitation"].nunique()
    assert (l == 1).sum() >= 10


def test_quasi_identifiers_are_declared_in_the_schema():
    for name in ("trafficking_cases", "trafficking_cases_raw"):
        roles = ds.describe(name).set_index("column")["role"]
        assert roles[roles == "quasi-identifier"].index.tolist() == trafficking.QUASI_IDENTIFIERS
        assert roles["type_of_exploitation"] == "sensitive"


def test_k_anonymity_agrees_with_pycanon():
    anonymity = pytest.importorskip("pycanon.anonymity")
    pub = ds.load("trafficking_cases")[trafficking.QUASI_IDENTIFIERS].astype("object").fillna("(empty)")
    assert anonymity.k_anonymity(pub, trafficking.QUASI_IDENTIFIERS) >= 5


# Modules 1 and 2: census sample and border crossings ------------------------------

@pytest.fixture(scope="module")
def census():
    return ds.load("census_sample")


def test_foreign_born_and_foreign_citizens_differ_both_ways(census):
    born_abroad = census.country_of_birth != "XLM"
    foreign = census.citizenship != "XLM"
    assert (born_abroad & ~foreign).sum() > 500  # naturalised, or citizens born abroad
    assert (~born_abroad & foreign).sum() > 200  # children of foreign citizens born in Lamaria
    assert (census.citizenship == "XXA").sum() > 50
    assert census.second_citizenship.notna().sum() > 300


def test_return_migrants_and_recent_arrivals(census):
    native = census.country_of_birth == "XLM"
    assert (native & census.residence_5y_ago.notna() & (census.residence_5y_ago != "XLM")).sum() > 100
    assert (native & census.residence_1y_ago.notna() & (census.residence_1y_ago != "XLM")).sum() > 20
    lived_abroad = (~native) | census.year_of_arrival.notna()
    assert census.year_of_arrival.notna().eq(lived_abroad).all()
    assert (census.year_of_arrival.dropna() >= 2025 - census.age[census.year_of_arrival.notna()] - 1).all()


def test_census_is_a_complex_sample(census):
    assert census.stratum.nunique() == 10
    assert census.groupby("psu").stratum.nunique().max() == 1
    assert census.psu.nunique() > 300
    assert census.weight.std() > 10
    assert 45000 < len(census) < 55000


def test_ilo_status_and_washington_group_only_where_asked(census):
    adult = census.age >= 15
    assert census.labour_force_status[adult].notna().all() and census.labour_force_status[~adult].isna().all()
    assert census.education[adult].notna().all() and census.education[~adult].isna().all()
    wg = census.filter(like="wg_")
    assert wg[census.age >= 5].notna().all().all() and wg[census.age < 5].isna().all().all()
    disability = wg.isin([3, 4]).any(axis=1)
    assert 0.02 < np.average(disability[census.age >= 5], weights=census.weight[census.age >= 5]) < 0.15


def test_some_disaggregated_cells_are_small(census):
    migrants = census[census.country_of_birth != "XLM"]
    cells = migrants.groupby(["country_of_birth", "sex", pd.cut(migrants.age, [0, 15, 30, 45, 65, 101], right=False)],
                             observed=False).size()
    assert (cells < 10).sum() > 20 and (cells > 100).sum() > 5


def test_sex_ratios_differ_by_origin(census):
    male = (census.sex == "male").groupby(census.country_of_birth, observed=True).mean()
    assert male["XKS"] > 0.7 and male["XPL"] < 0.35


def test_border_truth_matches_the_crossings():
    crossings, truth = ds.load("border_crossings"), ds.load("border_truth")
    assert set(crossings.traveller_id) == set(truth.traveller_id)
    assert (crossings.date.max() - crossings.date.min()).days >= 2 * 365
    first = crossings.sort_values(["date", "crossing_id"]).groupby("traveller_id").first()
    t = truth.set_index("traveller_id").join(first)
    movers = t.move_date.notna()
    emigrants = t.true_status.isin(["short-term emigrant", "long-term emigrant"])
    assert (t.direction[movers & emigrants] == "exit").all() and (t.direction[movers & ~emigrants] == "entry").all()
    assert (t.move_date[movers].dt.year == 2023).all()
    long_term = t.true_status.str.startswith("long-term")
    assert (t.true_duration_days[long_term] >= 365).all()
    assert t.true_duration_days[t.true_status.str.startswith("short-term")].between(90, 364).all()


def test_short_stays_follow_the_3_month_rule():
    crossings, truth = ds.load("border_crossings"), ds.load("border_truth")
    visitors = set(truth.traveller_id[truth.true_status == "visitor"])
    v = crossings[crossings.traveller_id.isin(visitors)].sort_values(["traveller_id", "date", "crossing_id"])
    following = v.shift(-1)
    stay = (following.traveller_id == v.traveller_id) & (v.direction == "entry") & (following.direction == "exit")
    assert stay.sum() > 3000
    assert ((following.date - v.date)[stay] < pd.Timedelta(days=90)).all()


def test_residence_permits_are_consistent():
    permits = ds.load("residence_permits")
    assert (permits.end_date > permits.start_date).all()
    assert permits.groupby("holder_id").first_permit.sum().eq(1).all()
    assert "XLM" not in set(permits.citizenship)


def test_describe_and_list():
    listing = ds.list()
    assert listing["name"].tolist() == NAMES
    table = ds.describe("census_sample")
    assert {"column", "type", "allowed", "unit", "description"} <= set(table.columns)
    assert table.set_index("column").loc["weight", "unit"] == "persons"
    assert len(ds.countries()) == 13
    assert all(code.startswith("X") for code in ds.countries().code)


def test_every_dataset_has_a_datacard():
    cards = {p.name: p.read_text() for p in (DATA_DIR.parent / "book" / "datasets").glob("*.ipynb")}
    assert cards, "no datacard notebook in book/datasets/"
    for name in NAMES:
        showing = [c for c, text in cards.items() if f'ds.describe(\\"{name}\\")' in text]
        assert showing, f"no datacard shows the schema of {name} with ds.describe"
    for card, text in cards.items():
        assert "synthetic" in text.lower() and "CC-BY-4.0" in text, f"{card} must say synthetic and CC-BY-4.0"


def test_load_reads_a_file_once_and_returns_copies(tmp_path, monkeypatch):
    """The second load is a copy of the first read: changing it changes no later load, and a
    changed file is read again."""
    import shutil

    import migstats.datasets as ds
    from migstats.datasets import schema
    for path in schema.DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    reads = []
    real_read = ds.read
    monkeypatch.setattr(ds, "read", lambda *a: reads.append(a) or real_read(*a))
    ds._read_cached.cache_clear()
    first = ds.load("reported_flows", tmp_path)
    first.loc[first.index[0], "flow"] = -1
    second = ds.load("reported_flows", tmp_path)
    assert len(reads) == 1 and second.loc[second.index[0], "flow"] != -1
    csv = tmp_path / ds.resource("reported_flows", tmp_path)["path"]
    text = csv.read_text().splitlines()
    csv.write_text("\n".join(text[:-1]) + "\n")  # one row fewer: a new version of the file
    assert len(ds.load("reported_flows", tmp_path)) == len(second) - 1 and len(reads) == 2
    ds._read_cached.cache_clear()


def test_read_all_reads_each_dataset_once_and_load_then_only_copies(monkeypatch):
    reads = []
    real_read = ds.read
    monkeypatch.setattr(ds, "read", lambda *a: reads.append(a[0]) or real_read(*a))
    ds._read_cached.cache_clear()
    try:
        ds.read_all()
        names = ds.list()["name"].tolist()
        assert sorted(reads) == sorted(names)
        census = ds.load("census_sample")
        assert len(reads) == len(names) and census.equals(real_read("census_sample", str(DATA_DIR)))
    finally:
        ds._read_cached.cache_clear()
