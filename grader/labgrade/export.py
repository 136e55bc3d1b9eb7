"""Export grades per learner and per question, and a trainer's summary.

The summary shows the score distribution (a histogram saved as PNG), the mean
of each question, and the tests that failed most, with the message they
failed with most often, so the trainer knows what to teach again.
"""
import csv
from collections import Counter

import matplotlib
import nbformat

from .ledger import Ledger

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)

HIDDEN_MARK = "BEGIN HIDDEN TESTS"
# The summary's words; a French exercise (ID-fr) gets a French summary.
WORDS = {
    "en": {"title": "{a}: grading summary", "count": "{n} learners: {g} graded, {f} failed.",
           "mean": "Mean score: {mean} out of {top}.", "histogram": "score distribution",
           "header": "| question | kind | hidden tests | points | mean | lost points | most common failure |",
           "yes": "yes", "no": "no", "test": "test", "manual": "manual", "failed": "Not graded",
           "x": "score (out of {top})", "y": "learners", "plot": "{a}: scores of {n} graded learners",
           "decimal": "."},
    "fr": {"title": "{a} : synthèse de la correction",
           "count": "{n} apprenants : {g} corrigés, {f} en échec.",
           "mean": "Note moyenne : {mean} sur {top}.", "histogram": "distribution des notes",
           "header": "| question | type | tests cachés | points | moyenne | points perdus | échec le plus fréquent |",
           "yes": "oui", "no": "non", "test": "test", "manual": "manuel", "failed": "Non corrigés",
           "x": "note (sur {top})", "y": "apprenants", "plot": "{a} : notes des {n} apprenants corrigés",
           "decimal": ","},
}


def words(assignment):
    """The summary's words in the language of ``assignment``."""
    return WORDS["fr" if assignment.endswith("-fr") else "en"]


def questions(course, assignment):
    """The graded cells in notebook order: dicts with notebook, name, points, kind."""
    found = []
    for name in course.notebook_names(assignment):
        source = nbformat.read(course.source_dir(assignment) / f"{name}.ipynb", as_version=4)
        for cell in source.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                found.append({
                    "notebook": name, "name": meta["grade_id"], "points": meta.get("points", 0),
                    "kind": "test" if cell.cell_type == "code" and not meta.get("solution")
                    else "manual",
                    "hidden": HIDDEN_MARK in cell.source})
    return found


def failure_messages(course, assignment, student, notebook, name):
    """The error lines of a graded test cell, e.g. 'AssertionError: the share ...'."""
    path = course.autograded_dir(student, assignment) / f"{notebook}.ipynb"
    if not path.exists():
        return []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == name:
            return [f"{o.ename}: {o.evalue}".strip(": ") for o in cell.get("outputs", [])
                    if o.output_type == "error"]
    return []


def collect_grades(course, assignment):
    """Rows per learner (dicts) and the list of questions."""
    qs = questions(course, assignment)
    multi = len({q["notebook"] for q in qs}) > 1
    rows = []
    with course.gradebook() as gb:
        for entry in Ledger(course, assignment).current():
            row = {"student_id": entry.student, "state": entry.state,
                   "score": "", "max_score": "", "seconds_late": entry.seconds_late,
                   "late_penalty": "", "reason": entry.reason,
                   "notes": "; ".join(entry.collect_notes + entry.notes)}
            if entry.state == "graded":
                submission = gb.find_submission(assignment, entry.student)
                row.update(score=submission.score, max_score=submission.max_score,
                           late_penalty=submission.late_submission_penalty)
                for q in qs:
                    grade = gb.find_grade(q["name"], q["notebook"], assignment, entry.student)
                    row[column(q, multi)] = grade.score
            rows.append(row)
    return rows, qs


def column(question, multi):
    return f"{question['notebook']}:{question['name']}" if multi else question["name"]


def question_summary(course, assignment, rows, qs):
    """Per question: mean score, how many lost points, the most common failure."""
    multi = len({q["notebook"] for q in qs}) > 1
    graded = [r for r in rows if r["state"] == "graded"]
    summary = []
    for q in qs:
        scores = [r[column(q, multi)] for r in graded]
        lost = [r["student_id"] for r in graded if r[column(q, multi)] < q["points"]]
        messages = Counter(m for s in lost
                           for m in failure_messages(course, assignment, s, q["notebook"],
                                                     q["name"]))
        summary.append({
            "question": column(q, multi), "kind": q["kind"], "hidden_tests": q["hidden"],
            "points": q["points"],
            "mean": round(sum(scores) / len(scores), 2) if scores else "",
            "lost_points": len(lost),
            "most_common_failure": messages.most_common(1)[0][0] if messages else ""})
    return summary


def write_csv(path, rows):
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def histogram(path, rows, assignment):
    scores = [r["score"] for r in rows if r["state"] == "graded"]
    top = max([r["max_score"] for r in rows if r["state"] == "graded"] or [1])
    w = words(assignment)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=range(0, int(top) + 2), align="left", rwidth=0.8, color="#4c72b0")
    ax.set_xlabel(w["x"].format(top=f"{top:g}".replace(".", w["decimal"])))
    ax.set_ylabel(w["y"])
    ax.set_title(w["plot"].format(a=assignment, n=len(scores)))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def summary_markdown(assignment, rows, summary):
    graded = [r for r in rows if r["state"] == "graded"]
    failed = [r for r in rows if r["state"] == "failed"]
    w = words(assignment)
    lines = [f"# {w['title'].format(a=assignment)}", "",
             w["count"].format(n=len(rows), g=len(graded), f=len(failed)), ""]
    if graded:
        mean = sum(r["score"] for r in graded) / len(graded)
        lines += [w["mean"].format(mean=f"{mean:.2f}".replace(".", w["decimal"]),
                                   top=f"{graded[0]['max_score']:g}".replace(".", w["decimal"])), ""]
    lines += [f"![{w['histogram']}](score-histogram.png)", "", w["header"],
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for q in sorted(summary, key=lambda q: -q["lost_points"]):
        mean = str(q["mean"]).replace(".", w["decimal"])
        lines.append(f"| {q['question']} | {w[q['kind']]} | {w['yes' if q['hidden_tests'] else 'no']}"
                     f" | {q['points']} | {mean} | {q['lost_points']} |"
                     f" {q['most_common_failure'].replace('|', '/')} |")
    if failed:
        lines += ["", f"## {w['failed']}", ""]
        lines += [f"- {r['student_id']}: {r['reason']}" for r in failed]
    return "\n".join(lines) + "\n"


def export(course, assignment, to=None):
    """Write grades CSV, questions CSV, histogram PNG and summary; return their paths."""
    rows, qs = collect_grades(course, assignment)
    reports = course.reports_dir(assignment)
    paths = {"grades": to or reports / "grades.csv", "questions": reports / "questions.csv",
             "histogram": reports / "score-histogram.png", "summary": reports / "summary.md"}
    summary = question_summary(course, assignment, rows, qs)
    write_csv(paths["grades"], rows)
    write_csv(paths["questions"], summary)
    histogram(paths["histogram"], rows, assignment)
    paths["summary"].write_text(summary_markdown(assignment, rows, summary), encoding="utf-8")
    return paths
