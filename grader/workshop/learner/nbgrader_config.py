"""nbgrader settings of a learner's server on the workshop hub (the Assignments tab).

The hub sets the environment variables; the learner's hub name is the student id,
because every learner's server runs as the same operating-system user (in its own sandbox).
"""
import os

c = get_config()  # noqa: F821 (defined by nbgrader's config loader)
c.CourseDirectory.course_id = os.environ["WORKSHOP_COURSE_ID"]
c.Exchange.root = os.environ["WORKSHOP_EXCHANGE"]
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
