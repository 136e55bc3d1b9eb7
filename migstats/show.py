"""Computed numbers and labels for the text of a lesson, in the reader's language.

A lesson computes a value in a code cell and names its text, for example
``share_text = show.fmt(share, ".1%")``; the Markdown then reads ``{eval}`share_text```.
The book (MyST-NB) and JupyterLab (jupyterlab-myst) both replace the role by the value, so a
number is never typed into the prose.

The English and the French notebooks run the same code. ``ms.style.use("fr")`` (or
``language("fr")``) switches every text made here to French: numbers as 1 234,5 and 12,3 %,
dates as 30 juin 2025, and table labels through the pairs in ``migstats/locale/fr/*.csv``.
"""

import csv
import datetime as dt
import numbers
import re
from functools import cache
from pathlib import Path

import pandas as pd

LANGUAGES = ("en", "fr")
LOCALE_DIR = Path(__file__).parent / "locale"
THIN_SPACE = "\u202f"  # French thousands separator (narrow no-break space)
NO_BREAK_SPACE = "\u00a0"  # before % in French
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}
_current = {"lang": "en"}


class Text(str):
    """A string shown without quotes: its ``repr`` is the string itself."""

    def __repr__(self) -> str:
        return str(self)


def language(lang: str | None = None) -> str:
    """The language of the texts made here; ``language("fr")`` switches it."""
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
        _current["lang"] = lang
    return _current["lang"]


def french_number(text: str) -> str:
    """A number written the English way ("1,234.5", "12.3%") written the French way."""
    text = text.replace(",", THIN_SPACE).replace(".", ",")
    return text.replace("%", NO_BREAK_SPACE + "%")


def fmt(value, spec: str = "") -> Text:
    """Format ``value`` with a Python format ``spec`` (``",.0f"``, ``".1%"``) for the text."""
    text = format(value, spec)
    if language() == "fr" and isinstance(value, numbers.Number):
        text = french_number(text)
    return Text(text)


def date(value) -> Text:
    """A date for the text: "30 June 2025" in English, "30 juin 2025" in French."""
    day = pd.Timestamp(value) if not isinstance(value, dt.date) else value
    month = MONTHS[language()][day.month - 1]
    first = "1er" if language() == "fr" and day.day == 1 else str(day.day)
    return Text(f"{first} {month} {day.year}")


@cache
def _pairs(lang: str) -> dict[str, str]:
    """English label -> label in ``lang``, from every ``locale/<lang>/*.csv`` file."""
    pairs, where = {}, {}
    for path in sorted((LOCALE_DIR / lang).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.DictReader(file)
            if reader.fieldnames != ["en", lang]:
                raise ValueError(f"{path}: the header must be 'en,{lang}', not {reader.fieldnames}")
            for row in reader:
                english, translated = row["en"], row[lang]
                if english in pairs and pairs[english] != translated:
                    raise ValueError(f"{path}: {english!r} is {translated!r} here but "
                                     f"{pairs[english]!r} in {where[english]}: keep one")
                pairs[english], where[english] = translated, path.name
    return pairs


def label(text):
    """A label shown to the reader (a legend, a category) in the reader's language."""
    if language() == "en" or not isinstance(text, str):
        return text
    return _pairs(language()).get(text, text)


def table(obj):
    """A copy of a Series or DataFrame whose labels are in the reader's language.

    Index and column labels, their names and the values of text or category columns are
    translated; numbers and codes (XLM) are left as they are.
    """
    if language() == "en":
        return obj
    out = obj.copy()
    out = out.rename(index=label, columns=label) if isinstance(out, pd.DataFrame) else out.rename(index=label)
    out.index = out.index.set_names([label(n) for n in out.index.names])
    if isinstance(out, pd.DataFrame):
        out.columns = out.columns.set_names([label(n) for n in out.columns.names])
        for column in out.columns:
            out[column] = _translated_values(out[column])
    else:
        out = _translated_values(out).rename(label(out.name))
    return out


_RANGE_WORDS = [  # the ranges migstats.datasets.schema.allowed writes, in words of each language
    (re.compile(r"^(\S+) to (\S+)$"), {"fr": "de {0} à {1}"}),
    (re.compile(r"^at least (\S+)$"), {"fr": "au moins {0}"}),
    (re.compile(r"^at most (\S+)$"), {"fr": "au plus {0}"}),
    (re.compile(r"^pattern (.+)$"), {"fr": "motif {0}"}),
]


def schema(table: pd.DataFrame) -> pd.DataFrame:
    """A datacard's schema table (``migstats.datasets.describe``) in the reader's language.

    Headers, yes/no, units and descriptions are translated and ranges are put in words; the
    column names, types and category values stay as code writes them.
    """
    if language() == "en":
        return table
    out = table.copy()
    out["required"] = out["required"].map({True: label("yes"), False: label("no")})
    out["allowed"] = out["allowed"].map(_range_in_words)
    for column in ("unit", "description"):
        out[column] = out[column].map(label)
    return out.rename(columns=label)


def _range_in_words(text: str) -> str:
    for pattern, words in _RANGE_WORDS:
        if found := pattern.match(text):
            return words[language()].format(*found.groups())
    return text


def _translated_values(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.rename_categories(label) if series.cat.categories.map(label).is_unique else series.map(label)
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        return series.map(label)
    return series
