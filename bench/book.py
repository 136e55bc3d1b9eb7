"""Time a clean build of the book and a rebuild after touching one page.

Usage: python bench/book.py     (builds into a scratch folder; _build/ is not touched)
A clean build executes every notebook; the rebuild should only re-read the touched page,
thanks to Sphinx's incremental build and the notebook execution cache.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JB = Path(sys.executable).parent / "jupyter-book"
TOUCHED = ROOT / "book" / "intro.md"


def build(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(JB), "build", str(ROOT), "--path-output", str(out), "--warningiserror"],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        clean = build(Path(out))
        TOUCHED.touch()
        rebuild = build(Path(out))
    notebooks = sum(1 for d in ("book", "modules") for _ in (ROOT / d).rglob("*.ipynb"))
    print(f"notebooks in the book:        {notebooks}")
    print(f"clean build (executes all):   {clean:6.1f} s")
    print(f"rebuild after touching {TOUCHED.relative_to(ROOT)}: {rebuild:6.1f} s")
    print(f"ratio clean / rebuild:        {clean / rebuild:6.1f}x")


if __name__ == "__main__":
    main()
