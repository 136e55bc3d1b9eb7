"""The self-assessment quiz: runs unattended, saves a learner's answers, and adds up the room."""
import json
import os
import shutil
from pathlib import Path

import nbclient
import nbformat
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

QUIZ = Path(__file__).resolve().parent.parent / "book" / "trainers" / "a5-self-assessment.ipynb"


def test_quiz_runs_top_to_bottom_and_shows_a_static_figure(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, as in the book
    shutil.copy(QUIZ, tmp_path)
    nb = nbformat.read(tmp_path / QUIZ.name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit without outputs"
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("SYNTHETIC" in o.get("text", "") for o in outputs)
    assert not (tmp_path / "self-assessment-summary.csv").exists()  # no files from demo data


def quiz_namespace(tmp_path, monkeypatch):
    """Run the quiz's code cells here (no kernel), with the answers read from tmp_path/room."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SELF_ASSESSMENT_DIR", str(tmp_path / "room"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {}
    for cell in nbformat.read(QUIZ, as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, QUIZ.name, "exec"), namespace)
    return namespace


def test_learner_saves_answers_with_the_widgets(tmp_path, monkeypatch):
    quiz = quiz_namespace(tmp_path, monkeypatch)
    monkeypatch.setenv("JUPYTERHUB_USER", "learner07")
    box = quiz["quiz"]()
    radios = [w for w in box.children if hasattr(w, "index") and hasattr(w, "options") and len(w.options) == 4]
    button, message = box.children[-2], box.children[-1]
    assert len(radios) == len(quiz["QUESTIONS"]) == 10

    button.click()
    assert "Please answer all 10" in message.value and not (tmp_path / "self-assessment-answers").exists()
    for radio, question in zip(radios, quiz["QUESTIONS"]):
        radio.index = question["answer"]
    radios[0].index = (quiz["QUESTIONS"][0]["answer"] + 1) % 4  # one wrong answer
    button.click()
    saved = json.loads((tmp_path / "self-assessment-answers" / "learner07-before.json").read_text())
    assert saved["learner"] == "learner07" and saved["stage"] == "before"
    assert "9 of 10 right" in message.value


def test_trainer_aggregates_the_room(tmp_path, monkeypatch):
    quiz = quiz_namespace(tmp_path, monkeypatch)
    questions = quiz["QUESTIONS"]
    right = {q["id"]: q["answer"] for q in questions}
    wrong = {q["id"]: (q["answer"] + 1) % len(q["options"]) for q in questions}
    room = tmp_path / "room"
    # Three learners in their hub home folders: all wrong before; after, two right and one still wrong on q1.
    for name, before, after in [("learner01", wrong, right), ("learner02", wrong, right),
                                ("learner03", wrong, {**right, "q1": wrong["q1"]})]:
        folder = room / name / "self-assessment-answers"
        folder.mkdir(parents=True)
        quiz["save_answers"](name, "before", before, folder=folder)
        quiz["save_answers"](name, "after", after, folder=folder)
    (room / "learner01" / "notes.json").write_text('{"not": "a quiz file"}')
    (room / "learner02" / "broken.json").write_text("{half a file")

    quiz = quiz_namespace(tmp_path, monkeypatch)  # the trainer runs the notebook again
    assert quiz["synthetic"] is False
    summary = pd.read_csv(tmp_path / "self-assessment-summary.csv", index_col="question")
    assert list(summary.index) == [q["id"] for q in questions]
    assert (summary["before"] == 0).all()
    assert summary.loc["q1", "after"] == round(200 / 3, 1)
    assert (summary.drop(index="q1")["after"] == 100).all()
    assert summary.loc["q1", "change"] == round(200 / 3, 1)
    assert os.path.getsize(tmp_path / "self-assessment-summary.csv") > 0
