"""Jupyter server settings of a learner's server on the workshop hub.

No formgrader (it is the trainer's), and no language-server support (none is installed):
each server then starts faster, which counts when 30 learners log in at once. The extension
manager does not search PyPI: the room may have no internet, and learners install nothing.
"""
c = get_config()  # noqa: F821 (defined by Jupyter's config loader)
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "jupyter_lsp": False,
}
c.LabApp.extension_manager = "readonly"
