"""The course's JupyterLab extension: citations read as in the book. This script builds it.

    make lab-citations                                      # after a change to src/ or style/
    python grader/workshop/lab-citations/lab_citations.py --data   # after a change to book/references.bib

jupyterlab-myst shows a ``{cite:p}`` key as the bare key, marked "Citation Not Found". The
extension (src/index.js) shows the book's words instead: sphinxcontrib-bibtex, with the styles of
_config.yml, writes "[United Nations Statistics Division, 1998]" for ``{cite:p}`` and "United
Nations Statistics Division [1998]" for ``{cite:t}``, a group of keys in the bibliography's
order. This script formats every entry of book/references.bib with those styles into
citations.json, beside the built extension.

The built extension is committed (grader/workshop/learner/labextensions/migstats-lab-citations/),
so that learners, the hub and the offline bundle need no node. To build it, this script runs
``npm ci`` (the builder pinned by package-lock.json, into node_modules/ here, removed after) and
``jupyter-builder build`` (installed with JupyterLab), then writes citations.json and
built-from.json (the sha256 of the sources built). tests/test_lab_citations.py fails when either
is out of date.
"""
import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pybtex.plugin
import yaml
from pybtex.database import parse_file
from sphinxcontrib.bibtex.plugin import find_plugin
from sphinxcontrib.bibtex.style.referencing import format_references
from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
BUILT = HERE.parent / "learner" / "labextensions" / "migstats-lab-citations"
SOURCES = ["src/index.js", "style/index.css", "package.json", "package-lock.json"]
# A reference with no link, title or pre- and post-text: the words only.
NO_LINK = SphinxReferenceInfo(builder=None, fromdocname="", todocname="", citation_id="",
                              title=None, pre_text="", post_text="")


class Bibliography:
    """book/references.bib, formatted with the book's styles (from _config.yml)."""

    def __init__(self, root: Path = ROOT):
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        sphinx = config["sphinx"]["config"]
        (bibfile,) = config["bibtex_bibfiles"]
        self.reference_style = find_plugin("sphinxcontrib.bibtex.style.referencing",
                                           sphinx["bibtex_reference_style"])()
        entry_style = pybtex.plugin.find_plugin("pybtex.style.formatting",
                                                sphinx["bibtex_default_style"])()
        self.entries = parse_file(root / bibfile).entries
        # In the bibliography's order: the book lists a group's keys in that order too.
        self.formatted = {e.key: e for e in entry_style.format_entries(self.entries.values())}

    def _reference(self, key):
        return self.entries[key], self.formatted[key], NO_LINK

    def book_text(self, keys, role):
        """What the book shows for ``{cite:ROLE}`KEYS``` (role ``p`` or ``t``)."""
        keys = sorted(keys, key=list(self.formatted).index)
        return str(format_references(self.reference_style, role, [self._reference(k) for k in keys]))

    def words(self, key, role):
        """One key's words inside a group, without the group's brackets."""
        entry, formatted, info = self._reference(key)
        data = {"entry": entry, "formatted_entry": formatted, "reference_info": info,
                "style": self.reference_style}
        return str(self.reference_style.inner(role).format_data(data))

    def group_style(self, role):
        """The brackets and separator of a group, read from how the book writes groups."""
        first, second, third = list(self.formatted)[:3]
        one, two = self.words(first, role), self.words(second, role)
        left, right = self.book_text([first], role).split(one)
        sep = self.book_text([first, second], role).removeprefix(left + one).removesuffix(two + right)
        three = left + sep.join(self.words(k, role) for k in (first, second, third)) + right
        if self.book_text([first, second, third], role) != three:
            raise SystemExit(f"the book's citation style ({role}) has a separator before the last "
                             "key that src/index.js does not know: add it there and here")
        return {"left": left, "right": right, "sep": sep}

    def tooltip(self, key):
        """The full reference, as the book's tooltip shows it."""
        plaintext = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")()
        return self.formatted[key].text.render(plaintext).replace("\\url ", "")


def citation_data(root: Path = ROOT) -> dict:
    """The content of citations.json."""
    bib = Bibliography(root)
    return {
        "about": "Made by grader/workshop/lab-citations/lab_citations.py from book/references.bib: "
                 "do not edit.",
        "parenthetical": bib.group_style("p"),
        "textual": bib.group_style("t"),
        "entries": {key: {"order": order, "p": bib.words(key, "p"), "t": bib.words(key, "t"),
                          "title": bib.tooltip(key)}
                    for order, key in enumerate(bib.formatted)},
    }


def source_fingerprint() -> dict:
    """The sha256 of each source file of the extension."""
    return {name: hashlib.sha256((HERE / name).read_bytes()).hexdigest() for name in SOURCES}


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def build():
    """npm ci, then jupyter-builder: the built extension in BUILT (which it empties first)."""
    if not (shutil.which("npm") and shutil.which("node")):
        raise SystemExit("building the extension needs node and npm (`sudo apt install nodejs npm`); "
                         "learners never need them: the built extension is committed")
    try:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
        builder = Path(sys.executable).parent / "jupyter-builder"
        subprocess.run([str(builder), "build", "."], cwd=HERE, check=True)
    finally:  # about 100 MB that npm ci makes anew each time
        shutil.rmtree(HERE / "node_modules", ignore_errors=True)
    (BUILT / "built-from.json").write_text(as_json(source_fingerprint()), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="store_true",
                        help="only write citations.json (after a change to book/references.bib)")
    args = parser.parse_args(argv)
    if not args.data:
        build()
    data = citation_data()
    (BUILT / "citations.json").write_text(as_json(data), encoding="utf-8")
    done = "citations.json" if args.data else "the extension and citations.json"
    print(f"{BUILT.relative_to(ROOT)}: {done}, {len(data['entries'])} references")


if __name__ == "__main__":
    main()
