"""Write the learners' version of every exercise into book/exercises/ for the book.

French exercises (grader/source/ID-fr/) go into book/exercises/fr/, for the French edition.

nbgrader generates the version a learner receives (solutions and hidden tests removed) in a
scratch course, so the course's own gradebook and release folder are not touched. The book
shows these pages without executing them (the answer cells raise NotImplementedError), and its
download button gives learners the notebook.

Usage: python grader/student_pages.py [ASSIGNMENT ...]   (default: every assignment)
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

# nbgrader runs the `alembic` command of this environment, even when it is not activated.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "grader" / "source"
OUT = ROOT / "book" / "exercises"

NOTE = (
    "```{admonition} The exercise as you receive it\n"
    ":class: tip\n"
    "This page shows the exercise without its solutions. Download the notebook with the download "
    "button at the top of the page, or fetch it in JupyterLab (Assignments tab) in a workshop. "
    "Write your answers where it says `# YOUR CODE HERE` or `YOUR ANSWER HERE`.\n"
    "```"
)
NOTE_FR = (
    "```{admonition} L'exercice tel que vous le recevez\n"
    ":class: tip\n"
    "Cette page montre l'exercice sans ses solutions. Téléchargez le notebook avec le bouton de "
    "téléchargement en haut de la page, ou récupérez-le dans JupyterLab (onglet Assignments) "
    "pendant un atelier. Écrivez vos réponses là où il est écrit `# YOUR CODE HERE` ou "
    "`YOUR ANSWER HERE`.\n"
    "```"
)


def is_french(aid: str) -> bool:
    return aid.endswith("-fr")


def generate(assignment_ids: list[str], source: Path = SOURCE, out: Path = OUT) -> list[Path]:
    """Generate the student version of each assignment; return the pages written."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.Exchange.root = str(course / "exchange")
        api = NbGraderAPI(config=config)
        written = []
        for aid in assignment_ids:
            shutil.copytree(source / aid, course / "source" / aid)
            result = api.generate_assignment(aid, force=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not generate {aid}:\n{result['log']}\n{result.get('error', '')}")
            for nb_path in sorted((course / "release" / aid).glob("*.ipynb")):
                written.append(_book_page(nb_path, aid, out / "fr" if is_french(aid) else out))
        return written


def _book_page(nb_path: Path, aid: str, out: Path) -> Path:
    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["mystnb"] = {"execution_mode": "off"}
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0,
                    nbformat.v4.new_markdown_cell(NOTE_FR if is_french(aid) else NOTE))
    name = aid if nb_path.stem == aid else f"{aid}-{nb_path.stem}"
    target = out / f"{name}.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def main(argv: list[str]) -> int:
    ids = argv or sorted(p.name for p in SOURCE.glob("*") if p.is_dir())
    if not argv:
        for old in [*OUT.glob("*.ipynb"), *OUT.glob("fr/*.ipynb")]:
            old.unlink()
    for page in generate(ids):
        print(f"wrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
