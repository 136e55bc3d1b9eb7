"""Time a clean build of the book, a rebuild after one lesson changes, and each notebook.

Usage: python bench/book.py     (builds into a scratch folder; _build/ is not touched)

The clean build executes every notebook, on every core (book/build.py). On a shared machine the
wall-clock times grow with the load; the CPU time does not, and CPU time / cores is close to the
clean build's wall time on an idle machine. The rebuild re-reads,
and so re-executes, only the changed lesson. Notebook times come from the clean build's own
record (execution.json): the time from kernel start to the last cell, with both cores busy.
Targets (issue 20): clean build <= 120 s and rebuild < 30 s on 2 cores; every lesson < 10 s.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOUCHED = ROOT / "modules" / "m1-definitions" / "01-who-is-a-migrant.ipynb"


def build(out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (build, its workers and kernels) of one build."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--out", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def main() -> None:
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        clean, clean_cpu = build(out)
        runs = json.loads((out / "execution.json").read_text())
        TOUCHED.touch()
        rebuild, _ = build(out)
    print(f"load average after:            {os.getloadavg()[0]:.1f}")
    print(f"notebooks executed:            {len(runs)}")
    print(f"clean build (executes all):    {clean:6.1f} s   (target <= 120 s)")
    print(f"  CPU time of the clean build: {clean_cpu:6.1f} s   (/ {os.cpu_count()} cores = "
          f"{clean_cpu / (os.cpu_count() or 1):.0f} s: the wall time on an idle machine is about this)")
    print(f"rebuild after touching {TOUCHED.relative_to(ROOT)}: {rebuild:6.1f} s   (target < 30 s)")
    total = sum(r["runtime"] for r in runs.values())
    print(f"notebook time, summed:         {total:6.1f} s   (parallel speed-up {total / clean:.1f}x)")
    print("slowest five notebooks (target < 10 s each on a quiet machine):")
    for name, run in sorted(runs.items(), key=lambda item: -item[1]["runtime"])[:5]:
        print(f"  {run['runtime']:6.1f} s  {run['source']}")


if __name__ == "__main__":
    main()
