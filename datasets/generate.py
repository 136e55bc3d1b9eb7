"""Generate the synthetic datasets of Migration Statistics Lab.

Usage: python datasets/generate.py [--seed N] [--out DIR]

With the default seed and folder it rewrites the committed files under
datasets/, byte for byte the same. The code is in migstats/datasets/.
"""

import argparse
import time

from migstats.datasets.build import DEFAULT_SEED, main
from migstats.datasets.schema import DATA_DIR

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Generate the synthetic datasets (all data are synthetic).")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", default=str(DATA_DIR), help="output folder (default: datasets/)")
    args = parser.parse_args()
    start = time.perf_counter()
    for path in main(args.seed, args.out):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    print(f"done in {time.perf_counter() - start:.1f} s")
