"""Copy the autograder's results from a worker's gradebook into the course's.

Only the parent process calls this, one submission at a time, so the course
gradebook (SQLite) has a single writer.

A worker's gradebook starts as a copy of the course gradebook; nbgrader's
autograder then writes the learner's rows in it: the student, the submission,
its notebooks, grades and comments. This module copies exactly those rows,
as nbgrader wrote them, in one transaction. Manual scores given before the
run are in the copy too, so they are kept. (Doing the same through
nbgrader's ORM costs about half a second per submission, which the parent
cannot afford while it runs the workers.)
"""
import sqlite3

SUBMISSION = ("select sa.id from worker.submitted_assignment sa "
              "join worker.assignment a on sa.assignment_id = a.id "
              "where a.name = ? and sa.student_id = ?")
NOTEBOOKS = f"select id from worker.submitted_notebook where assignment_id in ({SUBMISSION})"
COPIES = [
    ("student", "id = ?", 1),
    ("submitted_assignment", f"id in ({SUBMISSION})", 2),
    ("submitted_notebook", f"id in ({NOTEBOOKS})", 2),
    ("grade", f"notebook_id in ({NOTEBOOKS})", 2),
    ("comment", f"notebook_id in ({NOTEBOOKS})", 2),
]


def copy_autograde_results(worker_db, course_db, assignment, student):
    """Copy one submission's rows from ``worker_db`` into ``course_db`` (file paths)."""
    db = sqlite3.connect(course_db, timeout=60)
    try:
        db.execute("attach database ? as worker", (str(worker_db),))
        with db:
            for table, where, n_params in COPIES:
                params = (student,) if n_params == 1 else (assignment, student)
                db.execute(f"insert or replace into main.{table} "
                           f"select * from worker.{table} where {where}", params)
    finally:
        db.close()
