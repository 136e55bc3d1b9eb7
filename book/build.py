"""Build the course book, executing its notebooks in parallel on every core.

    python book/build.py                      # make book: _build/html, French in _build/html/fr
    python book/build.py --edition en         # the English edition only
    python book/build.py --builder singlehtml # one page for the PDF: _build/singlehtml
    python book/build.py --out DIR            # another build folder (tests, bench)
    python book/build.py --pdf                # make pdf: _build/migstats-lab.pdf

`jupyter-book build` reads the documents one after another; this calls the same Sphinx build
with as many processes as there are cores. Notebooks are executed while they are read
(MyST-NB's inline mode, so that `{eval}` shows computed numbers), so each core executes its own
notebooks. A rebuild re-reads, and so re-executes, only the pages whose source changed.
The build writes DIR/execution.json: each notebook's run time, success and error.

The French edition (_toc.fr.yml, Sphinx language fr) is built at the same time as the English
one, in a process of its own, into DIR/fr/ (its own doctrees, executed notebooks and
execution.json); its html is then copied into DIR/html/fr/, so that each page can link to the
same page in the other language. Each Sphinx build has steps that use one core (reading the
configuration, merging what the processes read, writing the search index): the other edition's
notebooks fill the other cores meanwhile.

The PDF is the one-page build (it reuses the executed notebooks of the html build) printed by
headless Chromium (Debian's chromium package): no download, no internet. Printing leaves out
the answers and solutions (book/_static/print.css).
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parent.parent


# What the French edition changes in _config.yml.
FRENCH = {
    "external_toc_path": (ROOT / "_toc.fr.yml").as_posix(),
    "language": "fr",
    "project": "Laboratoire de statistiques des migrations",
    "html_title": "Laboratoire de statistiques des migrations",
    "html_theme_options": {"search_bar_text": "Rechercher dans le cours...",
                           "extra_footer": "Données synthétiques uniquement. Texte CC-BY-4.0, code MIT."},
}


def build(out: Path = ROOT / "_build", builder: str = "html", jobs: int | None = None,
          strict: bool = True, edition: dict | None = None) -> int:
    """Build the book into ``out/<builder>``; return Sphinx's exit status (0 means success).

    ``edition`` holds configuration overrides, such as FRENCH.
    """
    result = build_sphinx(
        ROOT, out / builder, doctreedir=out / ".doctrees", noconfig=True,
        path_config=str(ROOT / "_config.yml"), use_external_toc=True, builder=builder,
        confoverrides={"external_toc_path": (ROOT / "_toc.yml").as_posix(),
                       "latex_individualpages": False, **(edition or {})},
        warningiserror=strict, keep_going=True, jobs=jobs or os.cpu_count() or 1)
    return result if isinstance(result, int) else 1


def build_french(out: Path = ROOT / "_build", jobs: int | None = None, strict: bool = True) -> int:
    """Build the French edition into ``out/fr/html`` and copy it into ``out/html/fr``."""
    toc = french_toc(out / "fr")
    if toc is None:
        print("French edition skipped: book/fr/intro is listed in book/fr-pending.txt")
        return 0
    status = build(out / "fr", "html", jobs, strict, {**FRENCH, "external_toc_path": toc.as_posix()})
    target = out / "html" / "fr"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(out / "fr" / "html", target)
    return status


def french_toc(out: Path) -> Path | None:
    """_toc.fr.yml without the pages that book/fr-pending.txt lists, written into ``out``.

    A chapter still pending leaves out its sections too; None if the root page is pending.
    """
    import yaml
    from translation import french_path, pending

    waiting = {french_path(page).with_suffix("").as_posix() for page in pending(ROOT)}
    toc = yaml.safe_load((ROOT / "_toc.fr.yml").read_text())
    if toc["root"] in waiting:
        return None

    def kept(entries):
        result = []
        for entry in entries:
            if entry.get("file") in waiting:
                continue
            if "glob" in entry and not any(ROOT.glob(entry["glob"] + ".*")):
                continue  # nothing translated yet
            if "sections" in entry:
                entry["sections"] = kept(entry["sections"])
                if not entry["sections"]:
                    del entry["sections"]
            result.append(entry)
        return result

    for part in toc["parts"]:
        part["chapters"] = kept(part["chapters"])
    toc["parts"] = [part for part in toc["parts"] if part["chapters"]]
    out.mkdir(parents=True, exist_ok=True)
    (out / "_toc.fr.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False))
    return out / "_toc.fr.yml"


def pdf(out: Path = ROOT / "_build") -> Path:
    """Print the whole book into ``out/migstats-lab.pdf``; return its path."""
    if build(out, "singlehtml") != 0:
        raise SystemExit("the one-page build failed: see the warnings above")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("Chromium prints the PDF: install it with `make sandbox` "
                         "(Debian's chromium package), then run `make pdf` again.")
    # The one page is written as book/intro.html, but its links are relative to the folder above.
    page = out / "singlehtml" / "print.html"
    shutil.copyfile(out / "singlehtml" / "book" / "intro.html", page)
    target = out / "migstats-lab.pdf"
    target.unlink(missing_ok=True)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--virtual-time-budget=60000",  # time for MathJax to typeset every equation
                    f"--print-to-pdf={target}", page.as_uri()],
                   check=True, capture_output=True, timeout=600)
    if not target.exists():
        raise SystemExit(f"Chromium wrote no PDF from {page}")
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build", help="build folder")
    parser.add_argument("--builder", default="html", choices=["html", "singlehtml"])
    parser.add_argument("--jobs", type=int, help="processes (default: one per core)")
    parser.add_argument("--pdf", action="store_true", help="print the book into DIR/migstats-lab.pdf")
    parser.add_argument("--edition", choices=["all", "en", "fr"], default="all",
                        help="html editions to build (default: both at once, French in DIR/html/fr)")
    args = parser.parse_args(argv)
    if args.pdf:
        print(f"wrote {pdf(args.out.resolve())}")
        return 0
    out = args.out.resolve()
    if args.builder != "html" or args.edition == "en":
        return build(out, args.builder, args.jobs)
    if args.edition == "fr":
        return build_french(out, args.jobs)
    french = subprocess.Popen([sys.executable, __file__, "--out", str(out), "--edition", "fr",
                               *(["--jobs", str(args.jobs)] if args.jobs else [])])
    status = build(out, "html", args.jobs)
    return french.wait() or status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
