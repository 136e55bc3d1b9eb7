"""Every country name in a notebook or page is a name of the synthetic world (migstats/datasets/world.py).

Lessons, exercises, datacards and guides must not invent a second name for a country. Two checks:
a name written next to a code, "Kestova (XKS)" or "XKS (Kestova)", must be that code's name; and
every word shaped like a place or its people (Kessaria, Vendara, Kessarians) must be a name or
demonym of world.py, unless it is an ordinary word listed below.
"""

import json
import re
from pathlib import Path

import pytest

from migstats.datasets.world import COUNTRIES, DEMONYMS

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "_build", "node_modules", "fixtures"}
NAMES = {code: name for code, (name, _) in COUNTRIES.items()}
KNOWN = set(NAMES.values()) | set(DEMONYMS.values()) | {d + "s" for d in DEMONYMS.values()}
# Capitalised words of the course that are shaped like a country name but are not one.
ORDINARY = {"European", "Humanitarian", "Statisticians", "These", "Debian", "Benedetti", "Franconi",
            "Bayesian", "Gaussian", "Julia", "Asia", "Christian", "Italian", "Canadian", "Australian",
            "Indian", "Ubuntu", "Jupyter", "Austria", "Australia", "India", "Americans", "Wisniowski"}
SHAPE = re.compile(r"\b[A-Z][a-z]{3,}(?:ia|ara|ova|esh|ians?|ans?|eshi)\b")
PAIR = re.compile(r"\b([A-Z][a-z]+) \((X[A-Z]{2})\)|\b(X[A-Z]{2}) \(([A-Z][a-z]+)\)")


def pages():
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if path.suffix not in (".ipynb", ".md") or any(p in SKIP or p.startswith(".") for p in rel.parts):
            continue
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        else:
            text = path.read_text(encoding="utf-8")
        yield str(rel), text


PAGES = dict(pages())


def test_the_pages_are_found():
    assert any(p.startswith("modules/") for p in PAGES) and any(p.startswith("book/") for p in PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_country_names_come_from_world(page):
    text = PAGES[page]
    wrong = []
    for m in PAIR.finditer(text):
        name, code = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if code in NAMES and name != NAMES[code] and name in KNOWN | set(SHAPE.findall(name)):
            wrong.append(f"{name} ({code}): world.py calls {code} {NAMES[code]}")
    for word in sorted(set(SHAPE.findall(text)) - KNOWN - ORDINARY):
        wrong.append(f"{word}: not a country name or demonym of migstats/datasets/world.py")
    assert not wrong, f"{page}: " + "; ".join(wrong)
