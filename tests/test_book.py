"""The book builds with warnings as errors (broken references, toc entries, citations), every
part is in it, and its pages load nothing from the internet (it must work offline)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

ROOT = Path(__file__).resolve().parent.parent
# Links a reader follows by choice; anything else loaded from the internet breaks offline use.
ALLOWED_REMOTE = ("https://mybinder.org", "https://github.com", "http://localhost")


def test_book_builds_without_warnings(book):
    warnings = [ln for ln in book.log.splitlines()
                if ("WARNING" in ln or "ERROR" in ln) and "[IPKernelApp]" not in ln]
    assert book.returncode == 0, "the book build failed:\n" + "\n".join(warnings[:40] or [book.log[-3000:]])
    for part in ("modules/m1-definitions/overview", "modules/m4-flows/overview",
                 "book/datasets/index", "book/glossary", "book/bibliography", "book/guides/graders"):
        assert (book.html / f"{part}.html").exists(), f"{part} is missing from the built book"
    assert "Module 4" in (book.html / "book" / "intro.html").read_text()


def test_book_loads_nothing_from_the_internet(book):
    remote = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"')
    offenders = {}
    for page in book.html.rglob("*.html"):
        urls = [u for u in remote.findall(page.read_text()) if not u.startswith(ALLOWED_REMOTE)]
        if urls:
            offenders[str(page.relative_to(book.html))] = urls[:3]
    assert not offenders, f"pages load remote resources, which breaks offline use: {offenders}"


def test_every_reference_is_cited():
    """The bibliography lists all of references.bib, so an entry no page cites is dead weight."""
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(), re.M))
    pages = [p for folder in ("book", "modules") for p in (ROOT / folder).rglob("*")
             if p.suffix in (".md", ".ipynb") and "_build" not in p.parts]
    cited = {re.sub(r"^(dc|ds)-", "", key.strip()) for page in pages  # a page's own list's prefix
             for keys_ in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page.read_text())
             for key in keys_.split(",")}
    assert keys, "no entries found in book/references.bib"
    assert not keys - cited, f"references.bib entries no page cites: {sorted(keys - cited)}"
