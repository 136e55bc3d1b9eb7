"""The course's JupyterLab extension (citations as in the book) is committed built: check that
the built files are those of the current source and of the current book/references.bib.
tests/test_lab_render.py reads the citations in a real browser.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "grader" / "workshop" / "lab-citations"))
import lab_citations  # noqa: E402


def test_citations_json_agrees_with_references_bib():
    committed = (lab_citations.BUILT / "citations.json").read_text(encoding="utf-8")
    assert committed == lab_citations.as_json(lab_citations.citation_data()), (
        "citations.json is out of date with book/references.bib: run "
        "`.venv/bin/python grader/workshop/lab-citations/lab_citations.py --data`")


def test_citations_read_as_in_the_book():
    data = json.loads((lab_citations.BUILT / "citations.json").read_text(encoding="utf-8"))
    un1998 = data["entries"]["un1998recommendations"]
    assert (un1998["p"], un1998["t"]) == ("United Nations Statistics Division, 1998",
                                          "United Nations Statistics Division [1998]")
    assert data["entries"]["machanavajjhala2007ldiversity"]["p"] == "Machanavajjhala et al., 2007"
    assert data["parenthetical"] == {"left": "[", "right": "]", "sep": ", "}
    assert "Recommendations on Statistics of International Migration" in un1998["title"]


def test_built_extension_is_built_from_the_current_source():
    built_from = json.loads((lab_citations.BUILT / "built-from.json").read_text(encoding="utf-8"))
    changed = sorted(name for name, sha in lab_citations.source_fingerprint().items()
                     if built_from.get(name) != sha)
    assert not changed, f"the extension was not rebuilt after a change to {changed}: run `make lab-citations`"
    package = json.loads((lab_citations.BUILT / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == lab_citations.BUILT.name  # JupyterLab serves it under its name
    assert (lab_citations.BUILT / package["jupyterlab"]["_build"]["load"]).is_file()
