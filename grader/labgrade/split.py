"""nbgrader's execution step in two processes: the learner's code, then the tests.

nbgrader runs a submission and its tests in one kernel, so code in an answer cell can change how
the tests run (input transformers, patched functions, redefined names). :class:`SplitExecute`
replaces nbgrader's ``Execute`` step:

1. The submission runs in the learner's sandboxed kernel, with each test cell replaced by a cell
   that publishes, as data only, the answers that this test reads (:mod:`labgrade.answer_export`).
2. The assignment's own setup and test cells, taken from the gradebook (never from the
   submission), run in the tests' process (:mod:`labgrade.testrunner`), which has never run
   learner code. Each test cell first gets the answers of its snapshot.
3. Each test cell of the submission gets the outputs of its run in the tests' process; every
   other cell keeps the outputs of the learner's kernel. nbgrader then scores the notebook as
   usual, so partial credit, feedback and the gradebook work as before.
"""

import ast
import builtins
import copy
import json
import time
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from . import answer_export, testrunner

EXPORT_SOURCE = Path(answer_export.__file__).read_text(encoding="utf-8")
BUILTINS = set(dir(builtins))


def names_in(source):
    """(names read, names bound) by a cell's code; magics are turned into Python first."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    return read, bound


def imported_modules(sources):
    """The modules that code cells import (``import a.b``, ``from a.b import c``): a.b, and
    a.b.c when that is a module. Only names are read here; nothing is imported."""
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(source))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(modules)


def calls_of(source, names):
    """The calls a cell makes of the functions ``names``: {name: [{"args", "kwargs"}]} (code)."""
    calls = {}
    for node in ast.walk(ast.parse(TransformerManager().transform_cell(source))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            calls.setdefault(node.func.id, []).append({
                "args": [ast.unparse(a) for a in node.args],
                "kwargs": {k.arg: ast.unparse(k.value) for k in node.keywords if k.arg}})
    return calls


def trusted_cells(db_url, assignment, notebook):
    """The assignment's setup and test cells, in order, from the gradebook.

    Each is {"kind": "setup" or "test", "grade_id", "source"} and a test has "needs": the names
    it reads that no setup cell, no earlier test and not the test itself defines: the answers.
    """
    with Gradebook(db_url) as gb:
        source = gb.find_notebook(notebook, assignment)
        tests = {cell.name for cell in source.grade_cells if cell.cell_type == "code"}
        solutions = {cell.name for cell in source.solution_cells}
        rows = [(cell.name, cell.source) for cell in source.source_cells
                if cell.cell_type == "code" and cell.name not in solutions
                and (cell.name in tests or cell.locked)]
    cells, defined = [], set()
    for name, code in rows:
        read, bound = names_in(code)
        cell = {"kind": "test" if name in tests else "setup", "grade_id": name, "source": code}
        if name in tests:
            cell["needs"] = sorted(read - bound - defined - BUILTINS)
            cell["calls"] = calls_of(code, cell["needs"])
        defined |= bound
        cells.append(cell)
    return cells


def export_cell_source(test):
    """The code that publishes, in the learner's kernel, the answers a test cell reads."""
    return (f"__labgrade__ = {{}}\nexec({EXPORT_SOURCE!r}, __labgrade__)\n"
            f"__labgrade__['publish'](globals(), {test['needs']!r}, {test['grade_id']!r}, "
            f"{test['calls']!r})\ndel __labgrade__\n")


def published(cell):
    """The answers an export cell published (JSON text), or None."""
    texts = [o.data[answer_export.MIME] for o in cell.get("outputs", [])
             if o.get("output_type") == "display_data" and answer_export.MIME in o.get("data", {})]
    return texts[-1] if texts and isinstance(texts[-1], str) else None


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class SplitExecute(Execute):
    """nbgrader's Execute, with the learner's code and the tests in separate processes."""

    tests_socket = Unicode(help="The Unix socket of the tests' process (labgrade.testrunner).").tag(
        config=True)
    tests_timeout = Integer(120, help="Seconds for all the tests of one notebook.").tag(config=True)
    timings_file = Unicode("", help="Where to write the seconds each step took (JSON).").tag(
        config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        started = time.monotonic()
        cells = trusted_cells(info["db_url"], info["assignment"], info["notebook"])
        tests = {c["grade_id"]: c for c in cells if c["kind"] == "test"}
        record = copy.deepcopy(nb)
        in_submission = []
        for cell in record.cells:
            if cell.cell_type == "code" and grade_id(cell) in tests:
                test = tests[grade_id(cell)]
                cell.source = export_cell_source(test)
                in_submission.append(test["grade_id"])
        prepared = time.monotonic()
        record, resources = super().preprocess(record, resources)
        learner = time.monotonic()
        answers = {grade_id(c): published(c) for c in record.cells
                   if c.cell_type == "code" and grade_id(c) in tests}
        job = {"cell_timeout": self.timeout, "total_timeout": self.tests_timeout,
               "cells": [{**c, "answers": answers.get(c["grade_id"])} if c["kind"] == "test" else c
                         for c in cells if c["kind"] == "setup" or c["grade_id"] in in_submission]}
        reply = testrunner.run(self.tests_socket, job, self.tests_timeout)
        if not reply["ok"]:
            raise RuntimeError("the tests' process failed:\n" + reply["error"])
        tested = time.monotonic()
        for original, ran in zip(nb.cells, record.cells):
            if original.cell_type != "code":
                continue
            if grade_id(original) in tests:
                original.outputs = [self._output(o) for o in reply["results"][grade_id(original)]]
            else:
                original.outputs = ran.outputs
            original.execution_count = ran.get("execution_count")
        nb.metadata = record.metadata
        if self.timings_file:
            Path(self.timings_file).write_text(json.dumps({
                "plan": prepared - started, "learner": learner - prepared,
                "tests": tested - learner, "merge": time.monotonic() - tested}))
        return nb, resources

    @staticmethod
    def _output(output):
        from nbformat import from_dict
        return from_dict(output)
