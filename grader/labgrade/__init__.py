"""labgrade: grade Migration Statistics Lab exercises with nbgrader.

Release, collect, autograde in parallel and in a sandbox, feedback, export;
every submission ends graded or with a reason. Run ``labgrade --help``.
"""
