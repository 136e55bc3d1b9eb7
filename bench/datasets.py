"""Print the load time (with schema validation) of every dataset and the size of datasets/.

Usage: python bench/datasets.py
The target: every dataset loads in under 1 s; datasets/ stays under 30 MB.
"""

import time

import migstats.datasets as ds
from migstats.datasets.schema import DATA_DIR


def best_time(name, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        df = ds.load(name)
        times.append(time.perf_counter() - start)
    return min(times), df.shape


if __name__ == "__main__":
    print(f"{'dataset':25s} {'rows':>7s} {'cols':>4s} {'load (s)':>9s}")
    for name in ds.list()["name"]:
        seconds, (rows, cols) = best_time(name)
        flag = "" if seconds < 1 else "  SLOW (target < 1 s)"
        print(f"{name:25s} {rows:7d} {cols:4d} {seconds:9.3f}{flag}")
    size = sum(p.stat().st_size for p in DATA_DIR.rglob("*") if p.is_file())
    print(f"datasets/ size: {size / 1e6:.1f} MB (target < 30 MB)")
