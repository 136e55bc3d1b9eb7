"""The French exercises are proven exactly as the English ones: every English exercise test
(tests/test_m1_exercises.py ... m5) runs again, with its own assertions and the same wrong
answers, on the French source (grader/source/ID-fr/) instead of the English one. The parity check
(tests/test_translation.py) already makes the two sources the same code, grade ids and points.
Also: `labgrade --lang fr` and the French trainer's summary (quick)."""

import importlib
import importlib.util
import inspect
import itertools
from pathlib import Path

import pytest

import labgrade.cli as cli
from labgrade.course import Course, CourseError
from nbgrader_harness import grade

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "grader" / "source"
_spec = importlib.util.spec_from_file_location("translation", ROOT / "book" / "translation.py")
translation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translation)

ENGLISH_TESTS = [f"test_m{n}_exercises" for n in range(1, 6)]


def grading_tests():
    """Each English exercise test that grades with nbgrader, once per parameter set."""
    for module_name in ENGLISH_TESTS:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if not (name.startswith("test_") and callable(function)
                    and "grade" in function.__code__.co_names):
                continue
            for params in _parameter_sets(function):
                label = "-".join(str(v) for v in params.values() if isinstance(v, str))
                yield pytest.param(module_name, name, params, id=f"{name}[{label}]" if label else name)


def _parameter_sets(function):
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    sets = [{}]
    for mark in marks:
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else mark.args[0]
        values = [v if len(names) > 1 else (v,) for v in mark.args[1]]
        sets = [{**s, **dict(zip(names, v))} for s, v in itertools.product(sets, values)]
    return sets


def grade_french(source_dir: Path, submissions: dict, workdir: Path):
    """Grade the French version of the assignment in source_dir with the same submissions."""
    english = Path(source_dir)
    page = english.relative_to(ROOT) / f"{english.name}.ipynb"
    french = SOURCE / f"{english.name}-fr"
    if page in translation.pending():
        pytest.skip(f"{page} is listed in {translation.PENDING}: its French version is pending")
    assert french.exists(), f"{english.name} has no French version {french.relative_to(ROOT)}"
    return grade(french, submissions, Path(workdir) / "fr")


@pytest.mark.slow
@pytest.mark.parametrize("module_name, name, params", list(grading_tests()))
def test_french_exercise_is_proven_like_the_english(module_name, name, params, tmp_path, monkeypatch):
    module = importlib.import_module(module_name)
    monkeypatch.setattr(module, "grade", grade_french)
    function = getattr(module, name)
    wanted = inspect.signature(function).parameters
    function(**{k: v for k, v in {**params, "tmp_path": tmp_path}.items() if k in wanted})


def test_every_english_grading_test_is_rerun_in_french():
    found = {p.values[0] for p in grading_tests()}
    assert found == set(ENGLISH_TESTS)


# ---------------------------------------------------------------------------- labgrade --lang fr


def test_lang_fr_names_the_french_assignment(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("")
    for aid in ("m1-ex1", "m1-ex1-fr"):
        (tmp_path / "source" / aid).mkdir(parents=True)
        (tmp_path / "source" / aid / f"{aid}.ipynb").write_text("{}")
    course = Course(tmp_path)
    assert cli.assignment_id(course, "m1-ex1", "fr") == "m1-ex1-fr"
    assert cli.assignment_id(course, "m1-ex1-fr", "fr") == "m1-ex1-fr"
    assert cli.assignment_id(course, "m1-ex1", "en") == "m1-ex1"
    with pytest.raises(CourseError, match="m2-ex1 has no French version: there is no .*m2-ex1-fr.ipynb"):
        cli.assignment_id(course, "m2-ex1", "fr")


def test_every_command_takes_lang():
    for command in ("release", "collect", "autograde", "feedback", "export", "status"):
        args = cli.parser().parse_args([command, "m1-ex1", "--lang", "fr"])
        assert args.lang == "fr"


def test_missing_french_version_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text("")
    assert cli.main(["--course", str(tmp_path), "status", "m9-ex1", "--lang", "fr"]) == 2
    assert "m9-ex1 has no French version" in capsys.readouterr().err
