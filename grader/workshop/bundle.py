"""Make the offline bundle: one zip to copy onto laptops that have no internet.

    python grader/workshop/bundle.py                       # make offline-bundle
    python grader/workshop/bundle.py --platform win_amd64  # wheels for Windows laptops

The zip holds the built HTML book, its printable PDF, the lessons, the learners' exercises, the datasets and a
wheelhouse, so that `pip install --no-index --find-links wheels -r requirements.txt` works
with no network. Build the book and its PDF first (`make pdf`).
"""
import argparse
import re
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
NAME = "migstats-lab-offline"
# What learners need, relative to the project folder; the book goes to html/.
# migstats is installed from its source here (editable), so that it finds datasets/ next to it.
# grader/workshop/learner: the learners' JupyterLab settings, with the course's extension that
# shows citations as the book does.
CONTENT = ["modules", "datasets", "book/exercises", "migstats", "grader/labgrade",
           "grader/workshop/learner", "requirements.txt", "pyproject.toml", "README.md"]
SKIP = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}
README = """\
# Migration Statistics Lab, offline

This folder has everything for the course without a network.

1. Read the book: open html/index.html in a web browser. To print it: migstats-lab.pdf.
2. Make the course environment (Python 3.11), once:

       python3.11 -m venv .venv
       .venv/bin/pip install --no-index --find-links wheels -r requirements.txt
       .venv/bin/pip install --no-index --find-links wheels --no-deps -e .

   On Windows: `py -3.11 -m venv .venv`, then `.venv\\Scripts\\pip` instead of `.venv/bin/pip`.
3. Work on the lessons: `.venv/bin/jupyter lab --config=grader/workshop/learner/jupyter_server_config.py`
   (these settings show citations as the book does), then open modules/.
   The exercises are in book/exercises/; the datasets in datasets/.

The wheels were made for: {platform}.
"""


class BundleError(RuntimeError):
    """A problem the trainer can fix; the message says how."""


def requirement_names(requirements):
    """Normalised project names in a requirements file (``name==version`` lines)."""
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.append(normalise(re.split(r"[<>=!~\[; ]", line)[0]))
    return names


def normalise(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_names(wheels):
    """Normalised project names of the wheels in a folder."""
    return {normalise(w.name.split("-")[0]) for w in wheels.glob("*.whl")}


def build_wheelhouse(wheels, requirements, platform=None):
    """Wheels for every requirement and their dependencies, and setuptools to install migstats."""
    wheels.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    if platform:  # another operating system: only ready-made wheels can be used
        fetch = [*pip, "download", "--only-binary=:all:", "--platform", platform,
                 "--python-version", "3.11", "--implementation", "cp", "-d", str(wheels)]
    else:  # this machine: pip builds a wheel for any package published only as source
        fetch = [*pip, "wheel", "-w", str(wheels)]
    cmd = [*fetch, "-r", str(requirements), "setuptools"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BundleError(f"pip could not make the wheels (`{' '.join(cmd)}`):\n{done.stderr[-3000:]}\n"
                          "Check the network or the package index, then try again.")
    missing = sorted((set(requirement_names(requirements)) | {"setuptools"}) - wheel_names(wheels))
    if missing:
        raise BundleError(f"the wheelhouse has no wheel for {missing}.")


def add_tree(archive, source, arcname):
    """Add a file or folder; wheels are stored as they are (they are zips already)."""
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        if SKIP & set(path.relative_to(source.parent).parts):
            continue
        inner = Path(arcname) / path.relative_to(source) if source.is_dir() else Path(arcname)
        kind = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
        archive.write(path, f"{NAME}/{inner.as_posix()}", compress_type=kind)


def make_bundle(out, html, wheels, platform=None, project=PROJECT, pdf=None):
    """Write the zip ``out`` (with the book's PDF ``pdf`` if given); return the names in it."""
    if not (html / "index.html").exists():
        raise BundleError(f"no built book in {html}: run `make book` first.")
    if pdf is not None and not pdf.exists():
        raise BundleError(f"no PDF of the book at {pdf}: run `make pdf` first.")
    requirements = project / "requirements.txt"
    build_wheelhouse(wheels, requirements, platform)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr(f"{NAME}/START-HERE.md", README.format(platform=platform or "this machine's system"))
        add_tree(archive, html, "html")
        if pdf is not None:
            add_tree(archive, pdf, pdf.name)
        for item in CONTENT:
            if (project / item).exists():
                add_tree(archive, project / item, item)
        add_tree(archive, wheels, "wheels")
        names = archive.namelist()
    partial.replace(out)  # never leave a half-written bundle under the final name
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=PROJECT / "_build" / "html", help="the built book")
    parser.add_argument("--pdf", type=Path, default=PROJECT / "_build" / "migstats-lab.pdf",
                        help="the printable book (make pdf)")
    parser.add_argument("--out", type=Path, default=PROJECT / "_build" / f"{NAME}.zip")
    parser.add_argument("--wheels", type=Path,
                        help="the wheelhouse folder, kept so a second run is quick "
                             "(default: _build/wheels-<platform>)")
    parser.add_argument("--platform", help="wheels for another system, e.g. win_amd64, "
                                           "macosx_11_0_arm64, manylinux2014_x86_64")
    args = parser.parse_args(argv)
    args.wheels = args.wheels or PROJECT / "_build" / f"wheels-{args.platform or 'here'}"
    try:
        names = make_bundle(args.out, args.html, args.wheels, args.platform, pdf=args.pdf)
    except BundleError as err:
        sys.exit(f"Error: {err}")
    size = args.out.stat().st_size / 1e6
    wheels = sum(n.endswith(".whl") for n in names)
    print(f"{args.out}: {len(names)} files, {wheels} wheels, {size:.0f} MB.")
    print("Copy it to a USB stick; on each laptop, unzip it and follow START-HERE.md inside.")


if __name__ == "__main__":
    main()
