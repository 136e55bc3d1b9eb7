"""The built book as a reader meets it: every figure drawn and described, headings in order,
launch buttons that open the page's notebook and point at nothing that does not exist."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml

pytestmark = pytest.mark.slow  # not in the quick layer: pytest -m 'not slow'

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("course_book", ROOT / "book" / "_ext" / "course_book.py")
course_book = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_book)

# A code cell draws a figure when it carries the figure's alt text (the course's convention), or
# calls matplotlib; cells that show a widget draw only when a reader moves it.
DRAWS = re.compile(r"\.plot\(|plt\.|\.bar\(|\.barh\(|\.hist\(|\.scatter\(|subplots\(|\.imshow\(|\.errorbar\(")
WIDGET = "application/vnd.jupyter.widget-view+json"
FIGURE = re.compile(r'<img[^>]+src="[^"]*_images/')
IMG = re.compile(r"<img\b[^>]*>")
ALT = re.compile(r'\balt="([^"]*)"')
A_FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|svg|gif|webp)$|_images/", re.I)
HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)


def _alt(cell) -> str:
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")


def _figures_drawn(source: Path, executed: Path) -> int:
    cells = nbformat.read(source, as_version=4).cells
    outputs = ([c.get("outputs", []) for c in nbformat.read(executed, as_version=4).cells]
               if executed.exists() else [[] for _ in cells])
    return sum(1 for cell, outs in zip(cells, outputs) if cell.cell_type == "code"
               and (_alt(cell) or DRAWS.search(cell.source)) and not any(WIDGET in o.get("data", {}) for o in outs))


def _article(page: Path) -> str:
    text = page.read_text()
    start = text.find('<article class="bd-article">')
    return text[start:text.find("</article>", start)] if start >= 0 else ""


def test_every_lesson_page_shows_the_figures_its_notebook_draws(book):
    runs = book.execution()
    assert runs, "the book build executed no notebook"
    missing = {}
    for docname, run in runs.items():
        drawn = _figures_drawn(ROOT / run["source"], book.executed_notebook(run["source"]))
        shown = len(FIGURE.findall(_article(book.page(docname))))
        if shown < drawn:
            missing[docname] = f"{shown} of {drawn} figures"
    assert not missing, f"pages lack figures that their notebooks draw (check MPLBACKEND): {missing}"


def test_every_image_has_a_real_alt_text(book):
    """A screen reader reads the alt text: it must say what the image shows, not its file name."""
    bad = {}
    for page in sorted(book.html.rglob("*.html")):
        for img in IMG.findall(page.read_text()):
            alt = (ALT.search(img) or [None, ""])[1].strip()
            if not alt or A_FILE_NAME.search(alt) or len(alt.split()) < 2:
                bad.setdefault(str(page.relative_to(book.html)), []).append(alt or "(none)")
    assert not bad, ("images without a real alt text; give each figure cell the metadata "
                     '{"mystnb": {"image": {"alt": "..."}}}: ' + str(bad))


def test_figure_cells_carry_their_alt_text(book):
    """Each cell whose output is a figure carries the alt text in its metadata (the source of truth)."""
    bad = {}
    for run in book.execution().values():
        executed = book.executed_notebook(run["source"])
        if not executed.exists():
            continue
        for i, cell in enumerate(nbformat.read(executed, as_version=4).cells):
            draws = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
            if draws and len(_alt(cell).split()) < 2:
                bad.setdefault(run["source"], []).append(i)
    assert not bad, f"figure cells without mystnb.image.alt metadata (notebook: cells): {bad}"


def test_headings_go_down_one_level_at_a_time(book):
    bad = {}
    for page in sorted(book.html.rglob("*.html")):
        levels = [int(level) for level, _ in HEADING.findall(_article(page))]
        if not levels:
            continue
        if levels[0] != 1:
            bad[str(page.relative_to(book.html))] = f"starts with h{levels[0]}"
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                bad[str(page.relative_to(book.html))] = f"h{before} followed by h{after}"
    assert not bad, f"headings skip a level (screen readers navigate by them): {bad}"


def _launch_links(page: Path) -> list[str]:
    text = page.read_text()
    start = text.find("dropdown-launch-buttons")
    if start < 0:
        return []
    return re.findall(r'<a href="([^"]+)"', text[start:text.find("</ul>", start)])


def test_launch_buttons_open_the_pages_notebook_on_the_rooms_hub(book):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    hub = config["launch_buttons"]["jupyterhub_url"].rstrip("/")
    homes = course_book.learner_files(ROOT)
    checked = 0
    for docname, run in book.execution().items():
        source = run["source"]
        in_home = course_book._path_in_learner_home(source, homes)
        links = _launch_links(book.page(docname))
        if not in_home:
            assert not any("/hub/" in link for link in links), f"{source} is not on the hub, yet has a hub button"
            continue
        assert f"{hub}/hub/user-redirect/lab/tree/{in_home}" in links, f"{source}: no JupyterHub button in {links}"
        checked += 1
    assert checked >= 10, "too few lesson pages have a JupyterHub button"


def test_no_button_points_at_a_placeholder(book):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = course_book.github_repository(config["repository"]["url"])
    assert repo or not config["repository"]["url"], "repository: url: is set but is not a GitHub repository URL"
    lesson = book.html / "modules" / "m1-definitions" / "01-who-is-a-migrant.html"
    links = _launch_links(lesson)
    text = lesson.read_text()
    for page in book.html.rglob("*.html"):
        for link in _launch_links(page):
            assert "migration-statistics-lab/migstats-lab" not in link and "example." not in link, link
    if repo:  # Binder and Colab, and the repository button, open the configured repository
        assert any(link.startswith("https://mybinder.org/v2/gh/") for link in links)
        assert repo in text
    else:
        assert not any("mybinder" in link or "colab" in link for link in links), links
        assert "github.com" not in text, "a GitHub link without a configured repository"


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/someone/migstats-lab", "https://github.com/someone/migstats-lab"),
    ("https://github.com/someone/migstats-lab.git/", "https://github.com/someone/migstats-lab"),
    ("", ""), ("https://gitlab.com/someone/migstats-lab", ""), ("https://github.com/someone", ""),
])
def test_only_a_github_repository_url_turns_on_binder_and_colab(url, expected):
    assert course_book.github_repository(url) == expected


def test_binder_and_colab_open_the_repositorys_notebook():
    settings = {"jupyterhub_url": "http://10.0.0.5:8000/", "binderhub_url": "https://mybinder.org",
                "colab_url": "https://colab.research.google.com", "branch": "main",
                "repository_url": "https://github.com/someone/migstats-lab",
                "learner_files": ["modules", "book/exercises"]}
    links = {b["text"]: b["url"] for b in course_book.launch_links("modules/m1/01-x.ipynb", settings)}
    assert links == {
        "JupyterHub": "http://10.0.0.5:8000/hub/user-redirect/lab/tree/modules/m1/01-x.ipynb",
        "Binder": "https://mybinder.org/v2/gh/someone/migstats-lab/main?urlpath=lab/tree/modules/m1/01-x.ipynb",
        "Colab": "https://colab.research.google.com/github/someone/migstats-lab/blob/main/modules/m1/01-x.ipynb"}
    # Exercise pages are generated, not in the repository: only the hub (which copies them) opens them.
    exercise = course_book.launch_links("book/exercises/m1-ex1.ipynb", settings)
    assert [b["url"] for b in exercise] == ["http://10.0.0.5:8000/hub/user-redirect/lab/tree/exercises/m1-ex1.ipynb"]
