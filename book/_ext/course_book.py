"""What the course book needs from Sphinx beyond _config.yml.

1. Figures: every notebook's kernel draws with matplotlib's inline backend, whatever
   MPLBACKEND the shell sets (with ``Agg`` a page would lose its figures).
2. Launch buttons. The room's JupyterHub button opens the page's notebook in the learner's own
   copy of the course on the trainer's hub (no internet needed). Binder, Colab and the repository
   button appear only when ``repository: url:`` in _config.yml names a public GitHub repository:
   that is the one setting a trainer who forks the course changes.
3. The build writes ``execution.json`` next to its output: each notebook's run time, success and
   error, which the tests and bench/book.py read instead of executing the notebooks again.
4. Parallel reading: three extensions that Jupyter Book loads do not say that they allow it,
   although they keep no state while documents are read (they copy MathJax after the build, act
   on LaTeX output only, or number sections after reading). Sphinx would then read, and so
   execute, every notebook one after another.
5. The one-page build (for the PDF) renders the nodes that extensions taught only the html
   builder (sphinx-design's dropdowns), in the same way.
6. Two editions: each page of the html build links to the same page in the other language
   (the French edition is built into ``fr/`` inside the English one; see book/build.py).
7. Citations: pybtex and sphinxcontrib-bibtex look for their plugins among the entry points of
   every installed package, at each citation (about 6 s of each edition's build). The packages
   do not change during a build, so each lookup is done once.
"""

import functools
import json
import os
import tomllib
from pathlib import Path
from urllib.parse import quote

INLINE = "module://matplotlib_inline.backend_inline"
# The folders and files that the hub copies into each learner's home (workshop.toml).
WORKSHOP = Path("grader") / "workshop" / "workshop.toml"
READ_SAFE = ("sphinx-mathjax-offline", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering")
# The launch buttons' tooltips in each edition's language.
TOOLTIPS = {
    "en": {"hub": "Open this notebook on the room's JupyterHub", "on": "Open this notebook on {}",
           "group": "Open this notebook to run it"},
    "fr": {"hub": "Ouvrir ce notebook sur le JupyterHub de la salle", "on": "Ouvrir ce notebook sur {}",
           "group": "Ouvrir ce notebook pour l'exécuter"},
}
# Pages generated at build time: they are not in the repository, so Binder or Colab cannot open them.
GENERATED = ("book/exercises/",)


def setup(app):
    os.environ["MPLBACKEND"] = INLINE  # kernels inherit the environment of the build
    _look_up_citation_plugins_once()
    app.connect("config-inited", _take_launch_buttons)
    app.connect("env-before-read-docs", _allow_parallel_reading)
    app.connect("build-finished", _write_execution_report)
    app.connect("builder-inited", _singlehtml_like_html)
    app.connect("html-page-context", _add_launch_buttons, priority=501)  # after the theme's
    app.connect("html-page-context", _add_language_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _look_up_citation_plugins_once():
    import pybtex.plugin
    import sphinxcontrib.bibtex.plugin

    for module in (pybtex.plugin, sphinxcontrib.bibtex.plugin):
        if not hasattr(module.entry_points, "cache_info"):
            module.entry_points = functools.cache(module.entry_points)


def _take_launch_buttons(app, config):
    """Keep the launch settings for this extension; the theme's own buttons need a GitHub URL."""
    options = config.html_theme_options
    app.course_launch = {
        **options.pop("launch_buttons", {}),
        "repository_url": github_repository(options.get("repository_url", "")),
        "branch": options.get("repository_branch") or "main",
        "learner_files": learner_files(Path(app.srcdir)),
        "language": config.language or "en",
    }
    options["use_repository_button"] = bool(app.course_launch["repository_url"])
    if not options["use_repository_button"]:
        options.pop("repository_url", None)


def github_repository(url: str) -> str:
    """``url`` if it names a public GitHub repository (``https://github.com/org/repo``), else ""."""
    parts = url.strip().rstrip("/").removesuffix(".git").split("/")
    ok = len(parts) == 5 and parts[:3] == ["https:", "", "github.com"] and all(parts[3:])
    return "/".join(parts) if ok else ""


def learner_files(root: Path) -> list[str]:
    """The course paths that each learner's home on the hub holds, from workshop.toml."""
    settings = tomllib.loads((root / WORKSHOP).read_text())
    return list(settings.get("course", {}).get("learner_files", []))


def launch_links(source: str, settings: dict) -> list[dict]:
    """The launch buttons of the page whose notebook is ``source`` (a path in the repository)."""
    ui = "lab/tree" if settings.get("notebook_interface", "jupyterlab") == "jupyterlab" else "tree"
    links, tips = [], TOOLTIPS[settings.get("language", "en")]
    hub = settings.get("jupyterhub_url", "").strip().rstrip("/")
    in_home = _path_in_learner_home(source, settings["learner_files"])
    if hub and in_home:
        links.append(_button("JupyterHub", tips["hub"], "logo_jupyterhub.svg",
                             f"{hub}/hub/user-redirect/{ui}/{quote(in_home)}"))
    repo = settings["repository_url"]
    if repo and not source.startswith(GENERATED):
        org_repo = repo.removeprefix("https://github.com/")
        binder = settings.get("binderhub_url", "").strip().rstrip("/")
        colab = settings.get("colab_url", "").strip().rstrip("/")
        if binder:
            links.append(_button("Binder", tips["on"].format("Binder"), "logo_binder.svg",
                                 f"{binder}/v2/gh/{org_repo}/{settings['branch']}?urlpath={ui}/{quote(source)}"))
        if colab:
            links.append(_button("Colab", tips["on"].format("Colab"), "logo_colab.png",
                                 f"{colab}/github/{org_repo}/blob/{settings['branch']}/{quote(source)}"))
    return links


def _path_in_learner_home(source: str, files: list[str]) -> str:
    """Where ``source`` is in a learner's home: each listed item is copied there by its name."""
    for item in files:
        item = item.strip("/")
        if source == item:
            return Path(item).name
        if source.startswith(item + "/"):
            return Path(item).name + source[len(item):]
    return ""


def _button(text, tooltip, icon, url):
    return {"type": "link", "text": text, "tooltip": tooltip,
            "icon": f"_static/images/{icon}", "url": url}


def _add_launch_buttons(app, pagename, templatename, context, doctree):
    source = app.env.doc2path(pagename, base=False) if pagename in app.env.all_docs else ""
    if not str(source).endswith(".ipynb") or "header_buttons" not in context:
        return
    links = launch_links(Path(source).as_posix(), app.course_launch)
    if links:
        context["header_buttons"].append({
            "type": "group", "tooltip": TOOLTIPS[app.course_launch["language"]]["group"],
            "icon": "fas fa-rocket",
            "buttons": links, "label": "launch-buttons"})


def _allow_parallel_reading(app, env, docnames):
    for name in READ_SAFE:
        if name in app.extensions:
            app.extensions[name].parallel_read_safe = True


def _write_execution_report(app, exception):
    """Write each executed notebook's source, run time, success and error to execution.json."""
    metadata = getattr(app.env, "nb_metadata", {})
    report = {}
    for docname, data in sorted(metadata.items()):
        run = data.get("exec_data")
        if run and docname in app.env.all_docs:
            report[docname] = {"source": Path(app.env.doc2path(docname, base=False)).as_posix(),
                               "runtime": run.get("runtime"), "succeeded": run.get("succeeded"),
                               "error": run.get("error"), "traceback": run.get("traceback")}
    out = Path(app.doctreedir).parent / "execution.json"
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(report, indent=1))
    partial.replace(out)  # readers never see a half-written report


def _singlehtml_like_html(app):
    handlers = app.registry.translation_handlers
    if app.builder.name == "singlehtml":
        for node, visitors in handlers.get("html", {}).items():
            handlers.setdefault("singlehtml", {}).setdefault(node, visitors)


# The other edition's page: DIR/name <-> DIR/fr/name; exercises book/exercises/ID <-> book/exercises/fr/ID-fr.
EXERCISE_PAGES = "book/exercises/"
LANGUAGE_LINK = {
    "en": '<p class="language-switch"><a href="{url}" hreflang="fr" lang="fr">Lire cette page en français</a></p>',
    "fr": '<p class="language-switch"><a href="{url}" hreflang="en" lang="en">Read this page in English</a></p>',
}


def other_language_page(pagename: str, language: str) -> str:
    """The name of the same page in the other edition (``language`` is this page's)."""
    folder, _, name = pagename.rpartition("/")
    if language == "fr":
        parent, _, last = folder.rpartition("/")
        folder = parent if last == "fr" else folder
        if f"{folder}/" == EXERCISE_PAGES:
            name = name.removesuffix("-fr")
    else:
        if f"{folder}/" == EXERCISE_PAGES:
            name += "-fr"
        folder = f"{folder}/fr" if folder else "fr"
    return f"{folder}/{name}" if folder else name


def language_link(pagename: str, language: str) -> str:
    """The relative address, from this page, of the same page in the other edition."""
    up = "../" * pagename.count("/")
    other = other_language_page(pagename, language)
    return f"{up}../{other}.html" if language == "fr" else f"{up}fr/{other}.html"


def _add_language_link(app, pagename, templatename, context, doctree):
    language = "fr" if app.config.language == "fr" else "en"
    other = Path(app.srcdir) / other_language_page(pagename, language)
    if app.builder.name != "html" or "body" not in context or not any(
            other.with_suffix(suffix).exists() for suffix in (".md", ".ipynb")):
        return
    url = language_link(pagename, language)
    context["body"] = LANGUAGE_LINK[language].format(url=url) + context["body"]
