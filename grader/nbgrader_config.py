"""nbgrader configuration of the Migration Statistics Lab course.

nbgrader reads this file when it runs in ``grader/``; ``labgrade`` reads it
from anywhere. Exercise sources live in ``source/<id>/<id>.ipynb``.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (defined by nbgrader's config loader)

COURSE_ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "migstats-lab"
c.CourseDirectory.root = str(COURSE_ROOT)

# The exchange: a local folder in grader/ by default (workshops without a
# server). On a JupyterHub, set LABGRADE_EXCHANGE to the hub's exchange
# folder, for example /srv/nbgrader/exchange.
c.Exchange.root = os.environ.get("LABGRADE_EXCHANGE", str(COURSE_ROOT / "exchange"))

# Timeouts: each cell may run 30 s; labgrade also bounds the whole notebook.
c.Execute.timeout = 30
c.Execute.startup_timeout = 60

# Long outputs are cut in the graded notebook and the feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# Feedback must never show the hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "labgrade.feedback.ClearTestTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
