"""Shared test set-up."""

import os
import sys
from pathlib import Path

# nbgrader calls command-line tools (alembic) and Jupyter kernels of this environment:
# put its bin folder first even when pytest was started without activating .venv.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Headless plotting in every test and notebook.
os.environ.setdefault("MPLBACKEND", "Agg")
