"""Time a clean build of the book (each edition), a rebuild after one lesson changes, and each notebook.

Usage: python bench/book.py     (builds into a scratch folder; _build/ is not touched)

The clean build executes every notebook, on every core (book/build.py). Each edition is
built alone first (its notebook times come from that build), then both at once, as `make book`
builds them on a fresh clone. On a shared
machine the wall-clock times grow with the load; the CPU time does not, and CPU time / cores is
close to the wall time on an idle machine. The rebuild (both editions, as `make book` does)
re-reads, and so re-executes, only the changed lesson. Notebook times come from the clean
build's own record (execution.json): the time from kernel start to the last cell, with every
core busy. The five slowest are then run again, one at a time, in a new kernel, as a learner
runs them. Targets (issue 20): clean build <= 120 s and rebuild < 30 s on 2 cores; every
lesson < 10 s.
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


def build(out: Path, edition: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (build, its workers and kernels) of one build."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--out", str(out),
                    "--edition", edition], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def fresh_kernel_seconds(source: str) -> float:
    """Seconds to run a notebook top to bottom in a new kernel of its own (start included)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # as in JupyterLab
    path = ROOT / source
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main() -> None:
    cores = os.cpu_count() or 1
    print(f"cores: {cores}; load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        clean = {edition: build(out / edition, edition) for edition in ("en", "fr")}
        runs = {edition: json.loads(report.read_text()) for edition, report in
                (("en", out / "en" / "execution.json"), ("fr", out / "fr" / "fr" / "execution.json"))}
        both, both_cpu = build(out / "all", "all")
        TOUCHED.touch()
        rebuild, _ = build(out / "all", "all")
    print(f"load average after:            {os.getloadavg()[0]:.1f}")
    for edition, (wall, cpu) in clean.items():
        total = sum(r["runtime"] for r in runs[edition].values())
        print(f"clean build, edition {edition}:     {wall:6.1f} s   (target <= 120 s; "
              f"{len(runs[edition])} notebooks)")
        print(f"  CPU time:                    {cpu:6.1f} s   (/ {cores} cores = {cpu / cores:.0f} s: "
              "the wall time on an idle machine is about this)")
        print(f"  notebook time, summed:       {total:6.1f} s   (parallel speed-up {total / wall:.1f}x)")
    print(f"clean build, both editions:    {both:6.1f} s   (make book on a fresh clone; target <= 120 s; "
          f"one after the other: {sum(wall for wall, _ in clean.values()):.1f} s)")
    print(f"  CPU time:                    {both_cpu:6.1f} s   (/ {cores} cores = {both_cpu / cores:.0f} s)")
    print(f"rebuild of both after touching {TOUCHED.relative_to(ROOT)}: {rebuild:6.1f} s   (target < 30 s)")
    print("slowest five notebooks (target < 10 s each on a quiet machine):")
    print("  in the build    alone, in a new kernel")
    every = [run for edition in runs.values() for run in edition.values()]
    for run in sorted(every, key=lambda run: -run["runtime"])[:5]:
        print(f"  {run['runtime']:6.1f} s  {fresh_kernel_seconds(run['source']):15.1f} s  {run['source']}")


if __name__ == "__main__":
    main()
