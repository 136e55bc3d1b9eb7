"""Lessons read in JupyterLab as in the book: a real browser (Debian's Chromium, driven by its
chromedriver: nothing is downloaded) opens a lesson on a running learner's JupyterLab, runs its
cells, and reads the rendered text. No MyST source may show: `{eval}` gives its number, roles
read as words, citations read as the book's ("[United Nations Statistics Division, 1998]", from
the course's extension in grader/workshop/lab-citations), answers stay folded. The learner's
JupyterLab has no nbgrader authoring tools and asks the internet for nothing (news, updates).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LEARNER = ROOT / "grader" / "workshop" / "learner"
sys.path.insert(0, str(ROOT / "grader" / "workshop" / "lab-citations"))
import lab_citations  # noqa: E402
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver: make sandbox")]

# MyST that a reader must never see as source.
RAW_MYST = re.compile(r"\{(eval|glue(:\w+)?|term|cite(:\w+)?|numref|ref|doc|eq|dropdown|admonition|note|"
                      r"tip|warning|important|figure|math)\}|```|^:::", re.M)
# Roles whose content a reader must never see: JupyterLab shows an unknown role's content as
# plain text ("err2020:+.0f"), and an `{eval}` that did not run shows its variable's name.
COMPUTED = re.compile(r"\{(?:eval|glue(?::\w+)?)\}`([^`]+)`")
CITATION = re.compile(r"\{cite:([pt])\}`([^`]+)`")
# jupyterlab-myst's title on a citation it cannot resolve (the course's extension replaces those).
NOT_FOUND = "Citation Not Found"
# A lesson converted to `{eval}` (modules 1-5 are being converted); the first such is read too.
LESSONS = sorted(p for p in (ROOT / "modules").glob("*/[0-9]*.ipynb")
                 if "{eval}" in p.read_text() and "{glue" not in p.read_text())[:1]
AUTHORING = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
             "@jupyter/nbgrader:course-list", "@jupyterlab/apputils-extension:announcements"]

# A lesson in little, with every construct the lessons use.
SAMPLE = [
    ("code", "from migstats import show\n\nshare = 0.1234\nshare_text = show.fmt(share, '.1%')\n"
             "count_text = show.fmt(12345, ',.0f')"),
    ("markdown", "# A sample lesson\n\nThe share is {eval}`share_text` of {eval}`count_text` migrants, "
                 "by {term}`usual residence` {cite:p}`un1998recommendations`, as {cite:t}`un2021framework` "
                 "writes {cite:p}`un1998recommendations,kish1965survey,nosuchkey1999`.\n\n"
                 "```{note}\nAn admonition.\n```\n\n```{dropdown} Answers\nThe hidden answer.\n```"),
]


def _sample_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) if kind == "code" else nbformat.v4.new_markdown_cell(s)
                for kind, s in SAMPLE]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "sample-lesson.ipynb"
    nbformat.write(nb, path)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    """A learner's JupyterLab (the settings of `make lab` and of the hub) on a copy of the lessons."""
    home = tmp_path_factory.mktemp("learner")
    for lesson in LESSONS:
        target = home / lesson.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lesson, target)
    _sample_notebook(home)
    # Render every cell, not only those in view, so the test reads the whole lesson.
    tracker = home / ".settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), "learner-test-token"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(LEARNER / "laptop"), "HOME": str(home),
           "JUPYTERLAB_SETTINGS_DIR": str(home / ".settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / ".workspaces")}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
         f"--config={LEARNER / 'jupyter_server_config.py'}", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=open(home / "server.log", "w"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(1)
    yield url, token, home
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(240)
    yield driver
    driver.quit()


RUN_ALL = """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const app = window.jupyterapp;
  await app.restored;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
  // The kernel is idle for a moment between two cells: wait until every code cell has run and
  // the kernel has stayed idle for two seconds.
  const kernel = () => panel.sessionContext.session.kernel;
  const codeCells = () => panel.content.widgets.filter(c => c.model.type === 'code');
  let quiet = 0;
  for (let i = 0; i < 2400 && quiet < 20; i++) {
    await new Promise(r => setTimeout(r, 100));
    const done = kernel().status === 'idle' && codeCells().every(c => c.model.executionCount !== null);
    quiet = done ? quiet + 1 : 0;
  }
  const cells = [...panel.node.querySelectorAll('.jp-MarkdownCell')];
  done({
    text: cells.map(c => c.innerText).join('\\n'),
    details: [...panel.node.querySelectorAll('details')].map(d => d.open),
    errors: [...panel.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(e => e.innerText).filter(t => t.includes('Error')),
    notFound: [...panel.node.querySelectorAll(`[title="${arguments[1]}"]`)]
      .filter(e => e.checkVisibility()).map(e => e.innerText),
  });
})().catch(e => done({failure: String(e)}));
"""


def _open_lab(browser, learner_lab) -> None:
    url, token, _ = learner_lab
    browser.get(f"{url}/lab?token={token}")
    for _ in range(120):
        if browser.execute_script("return !!(window.jupyterapp)"):
            return
        time.sleep(1)
    pytest.fail("JupyterLab did not load in the browser")


def _open_and_run(browser, learner_lab, path: str) -> dict:
    _open_lab(browser, learner_lab)
    result = browser.execute_async_script(RUN_ALL, path, NOT_FOUND)
    assert "failure" not in result, f"{path}: {result.get('failure')}"
    return result


@pytest.mark.parametrize("lesson", ["sample-lesson.ipynb", *(str(p.relative_to(ROOT)) for p in LESSONS)])
def test_lesson_shows_no_myst_source_in_jupyterlab(browser, learner_lab, lesson):
    seen = _open_and_run(browser, learner_lab, lesson)
    assert not seen["errors"], f"{lesson}: cells failed: {seen['errors'][:2]}"
    raw = sorted({m.group(0) for m in RAW_MYST.finditer(seen["text"])})
    assert not raw, f"{lesson} shows MyST source in JupyterLab: {raw}\n{seen['text'][:2000]}"
    markdown = "\n".join(cell.source for cell in nbformat.read(learner_lab[2] / lesson, as_version=4).cells
                         if cell.cell_type == "markdown")
    names = set(COMPUTED.findall(markdown))
    uncomputed = sorted(n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", seen["text"]))
    assert not uncomputed, f"{lesson} shows names, not computed numbers, in JupyterLab: {uncomputed}"
    assert not any(seen["details"]), f"{lesson}: answers are unfolded before the learner asks"
    assert not seen["notFound"], f"{lesson}: JupyterLab marks citations '{NOT_FOUND}': {seen['notFound']}"
    bib = lab_citations.Bibliography()
    groups = {(role, tuple(k.strip() for k in keys.split(","))) for role, keys in CITATION.findall(markdown)}
    book = sorted(bib.book_text(keys, role) for role, keys in groups if set(keys) <= set(bib.entries))
    unlike = [text for text in book if text not in seen["text"]]
    assert not unlike, f"{lesson}: citations do not read as in the book: {unlike}\n{seen['text'][:2000]}"
    if lesson == "sample-lesson.ipynb":
        assert "12.3%" in seen["text"] and "12,345" in seen["text"], seen["text"]
        assert "usual residence" in seen["text"] and seen["details"] == [False]
        assert "The hidden answer" not in seen["text"]
        assert ("[United Nations Statistics Division, 1998], as United Nations Expert Group on Migration "
                "Statistics [2021] writes [Kish, 1965, United Nations Statistics Division, 1998, "
                "nosuchkey1999]") in seen["text"], seen["text"]  # a key not in references.bib shows


def test_learners_lab_has_no_authoring_tools_and_no_internet(browser, learner_lab):
    _open_lab(browser, learner_lab)
    browser.execute_async_script("window.jupyterapp.restored.then(() => setTimeout(arguments[0], 3000))")
    plugins = browser.execute_script(
        "return arguments[0].filter(id => window.jupyterapp.hasPlugin(id))", AUTHORING)
    assert not plugins, f"learners see trainers' tools or news: {plugins}"
    assert browser.execute_script("return window.jupyterapp.hasPlugin('@jupyter/nbgrader:assignment-list')"), \
        "learners lost the Assignments tab"
    requests = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    remote = [r for r in requests if not r.startswith(learner_lab[0])]
    asked = [r for r in requests if "/lab/api/news" in r or "/lab/api/update" in r]
    assert not remote and not asked, f"JupyterLab reached out: {remote or asked}"
