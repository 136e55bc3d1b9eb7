"""Jupyter server settings of a learner's server (on the workshop hub, and `make lab`).

No formgrader (it is the trainer's), and no language-server support (none is installed):
each server then starts faster, which counts when 30 learners log in at once. The extension
manager does not search PyPI: the room may have no internet, and learners install nothing.
labconfig/page_config.json beside this file turns off, in JupyterLab, nbgrader's authoring tools
(Create Assignment, Formgrader, Courses) and the news and update checks, which reach for the
internet. jupyterlab-myst (installed with the course) shows the lessons' MyST as the book does;
the course's own extension, built into labextensions/ beside this file (source and rebuild:
../lab-citations/), shows their citations as the book does: "[United Nations ..., 1998]".
A French workshop (``language = "fr"`` in workshop.toml: the hub sets WORKSHOP_LANGUAGE) shows
JupyterLab in French: lab-fr/overrides.json makes French the default language, from the
language pack installed with the course (no internet needed).
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (defined by Jupyter's config loader)
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "jupyter_lsp": False,
}
c.LabApp.extension_manager = "readonly"
c.LabApp.extra_labextensions_path = [str(Path(__file__).resolve().parent / "labextensions")]
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.news_url = None  # the server never fetches the JupyterLab news feed
# Kernels draw figures in the notebook (a shell or hub that sets MPLBACKEND=Agg would hide them).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
if os.environ.get("WORKSHOP_LANGUAGE") == "fr":
    c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-fr")
