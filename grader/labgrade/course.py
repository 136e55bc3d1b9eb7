"""The nbgrader course that labgrade works on: its folders, config and API."""
import logging
import os
import sys
from functools import cached_property
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config, PyFileConfigLoader

# The course shipped with the project: grader/, the folder around this package.
DEFAULT_ROOT = Path(__file__).resolve().parent.parent


def put_python_tools_on_path():
    """nbgrader runs the ``alembic`` command of its Python environment: find it."""
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


class CourseError(RuntimeError):
    """A problem the grader can fix; the message says how."""


class Course:
    """An nbgrader course folder with its ``nbgrader_config.py``."""

    def __init__(self, root=DEFAULT_ROOT):
        self.root = Path(root).resolve()
        put_python_tools_on_path()
        self.config_file = self.root / "nbgrader_config.py"
        if not self.config_file.exists():
            raise CourseError(f"no nbgrader_config.py in {self.root}: give the course "
                              "folder with --course (the folder that holds source/).")

    @cached_property
    def config(self):
        """The course config, with the course root forced to this folder."""
        config = PyFileConfigLoader(self.config_file.name, path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        return config

    def api(self, extra=None):
        """An :class:`NbGraderAPI` on this course; ``extra`` is a Config to merge."""
        config = Config(self.config)
        if extra is not None:
            config.merge(extra)
        coursedir = CourseDirectory(config=config)
        api = NbGraderAPI(coursedir=coursedir, config=config)
        api.log.setLevel(logging.INFO)
        return api

    @property
    def db_url(self):
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def gradebook(self):
        return Gradebook(self.db_url, self.config.CourseDirectory.course_id)

    def source_dir(self, assignment):
        return self.root / "source" / assignment

    def release_dir(self, assignment):
        return self.root / "release" / assignment

    def submitted_dir(self, student, assignment):
        return self.root / "submitted" / student / assignment

    def autograded_dir(self, student, assignment):
        return self.root / "autograded" / student / assignment

    def feedback_dir(self, student, assignment):
        return self.root / "feedback" / student / assignment

    def reports_dir(self, assignment):
        folder = self.root / "reports" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def superseded_dir(self, student, assignment):
        return self.root / "superseded" / assignment / student

    def notebook_names(self, assignment):
        """The notebook names (without .ipynb) of a released assignment."""
        with self.gradebook() as gb:
            try:
                return [nb.name for nb in gb.find_assignment(assignment).notebooks]
            except MissingEntry:
                raise CourseError(f"assignment {assignment!r} is not in the gradebook: "
                                  f"run 'labgrade release {assignment}' first.") from None

    def check_source(self, assignment):
        if not (self.source_dir(assignment) / f"{assignment}.ipynb").exists():
            raise CourseError(f"no source notebook {self.source_dir(assignment)}/"
                              f"{assignment}.ipynb: check the assignment id.")
