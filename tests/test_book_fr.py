"""The French edition of the book.

Quick: no French page reads as English (prose paragraphs and figure alt texts), and _toc.fr.yml
is _toc.yml by the path rule. Slow (the shared build of tests/conftest.py, which builds both
editions): the French book builds with warnings as errors, every French notebook executes,
each page links to the same page in the other language and back, and the numbers that
``{eval}`` shows are in French format.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("translation", ROOT / "book" / "translation.py")
translation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translation)
_spec = importlib.util.spec_from_file_location("course_book", ROOT / "book" / "_ext" / "course_book.py")
course_book = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_book)

ENGLISH_NUMBER = re.compile(r"\d,\d{3}(?!\d)|\d\.\d")
ENGLISH_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                           r"October|November|December)\b")


# ---------------------------------------------------------------------------- quick


def test_the_language_test_tells_english_from_french():
    english = "The country where a person lives is the country of usual residence, for this course."
    french = "Le pays où une personne vit est le pays de résidence habituelle, pour ce cours."
    assert translation.reads_as_english(english) and not translation.reads_as_english(french)
    text = (f"# Titre\n\n{french}\n\n```python\n# {english}\n```\n\n"
            f"Voir {{term}}`le pays <the country of usual residence>` et {{cite:p}}`un1998recommendations`.\n\n"
            f"{english}\n")
    assert translation.english_paragraphs(text) == [english]


def test_an_english_alt_text_in_a_french_notebook_is_found(tmp_path):
    cell = {"cell_type": "code", "source": "", "outputs": [], "execution_count": None,
            "metadata": {"mystnb": {"image": {"alt": "A bar chart of the foreign-born by age"}}}}
    page = tmp_path / "modules" / "m1" / "fr" / "01-x.ipynb"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps({"cells": [cell], "metadata": {}}))
    assert translation.english_in_french_file(page.relative_to(tmp_path), tmp_path) == [
        "modules/m1/fr/01-x.ipynb: cell 0: English alt text: 'A bar chart of the foreign-born by age'"]


def test_no_french_page_reads_as_english():
    problems = [p for french in translation.french_files() for p in translation.english_in_french_file(french)]
    assert problems == [], "\n".join(problems)


def test_the_french_toc_follows_the_english_one():
    def entries(toc_file):
        toc = yaml.safe_load((ROOT / toc_file).read_text())
        found = [toc["root"]]
        for part in toc["parts"]:
            for chapter in part["chapters"]:
                found += [chapter.get("file") or chapter["glob"]]
                found += [s.get("file") or s["glob"] for s in chapter.get("sections", [])]
        return found

    def french(entry):
        if entry.startswith("book/exercises/"):
            return entry.replace("book/exercises/", "book/exercises/fr/")
        return translation.french_path(Path(entry)).as_posix()

    assert entries("_toc.fr.yml") == [french(e) for e in entries("_toc.yml")]


# ---------------------------------------------------------------------------- the build


@pytest.fixture(scope="module")
def french(book):
    """The French edition of the shared build: its html folder."""
    assert book.returncode == 0, book.log[-5000:]
    if (ROOT / "book" / "intro.md") in [ROOT / p for p in translation.pending()]:
        pytest.skip("book/intro.md is pending translation: the French edition is not built yet")
    return book.html / "fr"


def built_pages(html: Path) -> list[Path]:
    """The pages built from the course's sources (not the search or index pages)."""
    skip = {"genindex.html", "search.html", "index.html"}
    return sorted(p for p in html.rglob("*.html")
                  if p.name not in skip and not {"_static", "_sources", "fr"} & set(p.relative_to(html).parts[:1])
                  and "jupyter_execute" not in p.parts)


@pytest.mark.slow
def test_french_book_builds_with_french_ui(french):
    page = (french / "book" / "fr" / "intro.html").read_text()
    assert '<html lang="fr"' in page
    assert "Laboratoire de statistiques des migrations" in page


@pytest.mark.slow
def test_every_french_notebook_executes(french, book):
    report = json.loads((book.out / "fr" / "execution.json").read_text())
    built = {p.relative_to(french).with_suffix("").as_posix() for p in built_pages(french)}
    notebooks = {f.with_suffix("").as_posix() for f in translation.french_files()
                 if f.suffix == ".ipynb" and f.parts[0] != "grader"} & built
    failed = {d: r["error"] for d, r in report.items() if not r["succeeded"]}
    assert failed == {}
    missing = notebooks - {d for d, r in report.items()} - {
        d for d in notebooks if _execution_off(ROOT / f"{d}.ipynb")}
    assert missing == set(), f"French notebooks not executed: {sorted(missing)}"


def _execution_off(path: Path) -> bool:
    return json.loads(path.read_text()).get("metadata", {}).get("mystnb", {}).get("execution_mode") == "off"


def _language_link(page: Path) -> Path | None:
    soup = BeautifulSoup(page.read_text(), "html.parser")
    link = soup.select_one("p.language-switch a")
    return (page.parent / link["href"]).resolve() if link else None


@pytest.mark.slow
def test_each_page_links_to_the_other_language_and_back(french, book):
    """Every French page links to its English page and back; so does every English page whose
    French page is not pending."""
    waiting = {translation.french_path(p).with_suffix("").as_posix() for p in translation.pending()}
    problems = []
    for page in built_pages(french) + built_pages(book.html):
        name = page.relative_to(book.html).as_posix()
        other = _language_link(page)
        doc = page.relative_to(book.html).with_suffix("").as_posix()
        pending = not page.is_relative_to(french) and course_book.other_language_page(doc, "en") in waiting
        if other is None:
            if not pending:
                problems.append(f"{name}: no link to the same page in the other language")
        elif not other.exists():
            problems.append(f"{name}: its language link points to a missing page {other}")
        elif _language_link(other) != page.resolve():
            problems.append(f"{name}: {other.relative_to(book.html)} does not link back to it")
    assert problems == [], "\n".join(problems)


def eval_texts(page: Path) -> list[str]:
    """The texts that {eval} roles put into a built page."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    return [value.get_text() for value in soup.select("article span.output.text_plain")]


@pytest.mark.slow
def test_numbers_shown_by_eval_are_in_french_format(french, book):
    """A number written the English way (1,234 or 0.5) that the English page shows just the same
    was not put into French. (1,033 alone may be a French decimal: the English page says 1.033.)"""
    problems = []
    for page in built_pages(french):
        relative = page.relative_to(french)
        english_page = book.html / Path(*[p for p in relative.parts if p != "fr"])
        english = set(eval_texts(english_page)) if english_page.exists() else set()
        for text in eval_texts(page):
            if (ENGLISH_NUMBER.search(text) and text in english) or ENGLISH_MONTH.search(text):
                problems.append(f"{page.relative_to(french)}: {text!r} is in English format "
                                f"(the notebook should call ms.style.use(\"fr\") first)")
    assert problems == [], "\n".join(problems)
