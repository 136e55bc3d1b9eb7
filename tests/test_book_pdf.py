"""`make pdf`: the whole book in one PDF, printed offline by Debian's Chromium, with its figures
and typeset equations, and without the answers (a trainer hands it out)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("pdftotext")),
                                reason="needs Debian's chromium and poppler-utils: make sandbox")]
DROPDOWN = re.compile(r'<details class="[^"]*sd-dropdown[^"]*">(.*?)</details>', re.S)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_pdf_of_the_whole_book(book):
    assert book.returncode == 0, "the book build failed (see test_book.py)"
    run = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--out", str(book.out), "--pdf"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    pdf = book.out / "migstats-lab.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for part in ("Module 1", "Module 4", "Glossary", "usual residence"):
        assert part in text, f"the PDF lacks {part!r}"
    assert not re.search(r"\\\[|\\\(|\\frac|\\sum", text), "equations are printed as LaTeX source"
    figures = sum(len(re.findall(r'<img[^>]+src="[^"]*_images/', p.read_text()))
                  for p in book.html.rglob("*.html"))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) >= figures, f"the PDF has {len(images)} images; the book's pages show {figures} figures"
    answers = [_text(m) for p in (book.html / "modules").rglob("*.html")
               for m in DROPDOWN.findall(p.read_text())]
    assert answers, "no folded answers found in the lessons: has the markup changed?"
    shown = [a[:80] for a in answers if len(a) > 40 and a[-40:] in text]
    assert not shown, f"the PDF prints answers: {shown[:3]}"
