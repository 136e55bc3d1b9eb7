"""Import the scripts under grader/ in the tests."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "student_pages", Path(__file__).resolve().parent.parent / "grader" / "student_pages.py")
student_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_pages)
