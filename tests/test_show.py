"""Texts for the reader in English and in French (migstats.show, migstats.style)."""
import matplotlib
import pandas as pd
import pytest

import migstats.show as show
import migstats.style as style

matplotlib.use("Agg")


@pytest.fixture
def french():
    style.use("fr")
    yield
    style.use("en")


def test_english_numbers_and_dates():
    assert show.fmt(0.1234, ".1%") == "12.3%"
    assert show.fmt(1234567.891, ",.1f") == "1,234,567.9"
    assert show.date("2025-06-30") == "30 June 2025"


def test_french_numbers_and_dates(french):
    assert show.fmt(0.1234, ".1%") == "12,3\u00a0%"
    assert show.fmt(1234567.891, ",.1f") == "1\u202f234\u202f567,9"
    assert show.fmt(3, "d") == "3"
    assert show.fmt("e.g.") == "e.g."  # not a number: unchanged
    assert show.date("2025-06-30") == "30 juin 2025"
    assert show.date(pd.Timestamp("2024-02-01")) == "1er février 2024"


def test_french_ticks_and_tables(french):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 0.5, 1.5], [0, 1, 2])
    fig.canvas.draw()
    assert "0,4" in [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
    assert "1\u202f234,5" in repr(pd.DataFrame({"a": [1234.5, 0.25]}))


def test_back_to_english_after_french(french):
    style.use("en")
    assert show.fmt(0.5, ".0%") == "50%"
    assert "1234.5" in repr(pd.DataFrame({"a": [1234.5, 0.25]}))


def test_table_translates_labels_not_codes(french, monkeypatch):
    monkeypatch.setattr(show, "_pairs", lambda lang: {"foreign-born": "nés à l'étranger",
                                                      "group": "groupe", "count": "effectif"})
    df = pd.DataFrame({"group": pd.Categorical(["foreign-born", "XLM"]), "count": [1.0, 2.0]},
                      index=pd.Index(["foreign-born", "XLM"], name="group"))
    out = show.table(df)
    assert list(out.columns) == ["groupe", "effectif"]
    assert list(out.index) == ["nés à l'étranger", "XLM"] and out.index.name == "groupe"
    assert list(out["groupe"].astype(str)) == ["nés à l'étranger", "XLM"]
    assert list(df.columns) == ["group", "count"]  # the original is unchanged
    style.use("en")
    assert show.table(df) is df


def test_locale_files_are_consistent():
    pairs = show._pairs("fr")  # raises on a bad header or a label translated two ways
    assert all(isinstance(k, str) and v for k, v in pairs.items())


def test_conflicting_translations_are_named(tmp_path, monkeypatch):
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "a.csv").write_text("en,fr\nstock,effectif\n", encoding="utf-8")
    (tmp_path / "fr" / "b.csv").write_text("en,fr\nstock,stock\n", encoding="utf-8")
    monkeypatch.setattr(show, "LOCALE_DIR", tmp_path)
    show._pairs.cache_clear()
    with pytest.raises(ValueError, match="'stock' is 'stock' here but 'effectif' in a.csv"):
        show._pairs("fr")
    show._pairs.cache_clear()


def test_unknown_language_is_named():
    with pytest.raises(ValueError, match="language must be one of"):
        show.language("de")


def test_a_schema_table_in_french_keeps_the_names_code_uses():
    table = pd.DataFrame({
        "column": ["age", "sex", "code"], "type": ["integer", "string", "string"],
        "required": [True, False, True], "allowed": ["0 to 100", "female, male", "pattern [A-Z]{3}"],
        "unit": ["years", "", ""], "description": ["Age in completed years.", "", ""]})
    style.use("fr")
    try:
        shown = show.schema(table)
    finally:
        style.use("en")
    assert list(shown.columns[:4]) == ["colonne", "type", "obligatoire", "valeurs permises"]
    assert shown.iloc[:, 0].tolist() == ["age", "sex", "code"], "column names are code: kept"
    assert shown.iloc[:, 2].tolist() == ["oui", "non", "oui"]
    assert shown.iloc[:, 3].tolist() == ["de 0 à 100", "female, male", "motif [A-Z]{3}"]
    assert shown.iloc[0, 4] == "ans"
    assert show.schema(table) is table, "English: unchanged"
