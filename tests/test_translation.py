"""The French edition's parity rules (book/translation.py), on made-up files and on the repository."""

import importlib.util
import json
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("translation", ROOT / "book" / "translation.py")
translation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translation)


def notebook(*cells) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def code(source, **metadata) -> dict:
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [],
            "execution_count": None}


def markdown(source, **metadata) -> dict:
    return {"cell_type": "markdown", "metadata": metadata, "source": source}


LESSON = notebook(
    markdown("# Stocks\n\nThe {term}`migrant stock` is {eval}`stock_text` {cite:p}`un1998recommendations`."),
    code('import migstats as ms\nms.style.use("en")\n# the census\nx = ms.load("census", title=f"{1} year")\n'),
    code("%matplotlib inline\nx.plot()", mystnb={"image": {"alt": "A line rising"}}, tags=["hide-input"]),
    code("answer = 1", nbgrader={"grade_id": "q1", "points": 2, "solution": True, "grade": False}),
)
FRENCH = notebook(
    markdown("# Effectifs\n\nL'{term}`effectif de migrants <Migrant stock>` vaut {eval}`stock_text` "
             "{cite:p}`un1998recommendations-fr`."),
    code('import migstats as ms\nms.style.use("fr")\n# le recensement\nx = ms.load("recensement", title=f"{1} an")\n'),
    code("%matplotlib inline\nx.plot()", mystnb={"image": {"alt": "Une ligne qui monte"}}, tags=["hide-input"]),
    code("answer = 1", nbgrader={"grade_id": "q1", "points": 2, "solution": True, "grade": False}),
)


def drifted(cell: int, **changes) -> dict:
    nb = json.loads(json.dumps(FRENCH))
    nb["cells"][cell].update(changes)
    return nb


def test_a_faithful_translation_passes():
    assert translation.notebook_differences(LESSON, FRENCH) == []


def test_cell_count_differs():
    french = json.loads(json.dumps(FRENCH))
    french["cells"].pop()
    assert translation.notebook_differences(LESSON, french) == ["3 cells, English has 4"]


def test_cell_type_differs():
    problems = translation.notebook_differences(LESSON, drifted(3, cell_type="markdown"))
    assert problems == ["cell 3: English code cell, French markdown cell"]


def test_cell_metadata_differs_but_alt_text_may():
    problems = translation.notebook_differences(LESSON, drifted(2, metadata={"tags": ["remove-input"]}))
    assert len(problems) == 1 and "cell 2: cell metadata differ" in problems[0]


def test_nbgrader_metadata_differs():
    points = {"grade_id": "q1", "points": 3, "solution": True, "grade": False}
    problems = translation.notebook_differences(LESSON, drifted(3, metadata={"nbgrader": points}))
    assert len(problems) == 1 and "cell 3: nbgrader metadata differ" in problems[0]


@pytest.mark.parametrize("changed", [
    'import migstats as ms\nms.style.use("fr")\nx = ms.load("recensement", title="an", sep=";")\n',
    'import migstats as ms\nms.style.use("fr")\nx = ms.load("recensement")\n',
    'import migstats as ms\nms.style.use("fr")\ny = ms.load("recensement", title=f"{1} an")\n',
    'import migstats as ms\nx = ms.load("recensement", title=f"{1} an")\nms.style.use("fr")\n',
])
def test_code_differs(changed):
    problems = translation.notebook_differences(LESSON, drifted(1, source=changed))
    assert len(problems) == 1 and problems[0].startswith("cell 1: code differs from statement")


def test_code_with_an_extra_statement():
    problems = translation.notebook_differences(LESSON, drifted(3, source="answer = 1\nprint(answer)"))
    assert problems == ["cell 3: code has 2 statements, English has 1"]


def test_magics_are_compared_too():
    problems = translation.notebook_differences(LESSON, drifted(2, source="%matplotlib widget\nx.plot()"))
    assert len(problems) == 1 and "code differs" in problems[0]


@pytest.mark.parametrize("text, rule", [
    ("# Effectifs\n\n{term}`effectif <migrant stock>` {eval}`other_text` {cite:p}`un1998recommendations`.",
     "{eval} names"),
    ("# Effectifs\n\n{term}`effectif <migrant stock>` {eval}`stock_text` {cite:p}`un2021framework`.",
     "{cite} keys"),
    ("# Effectifs\n\n{term}`effectif de migrants` {eval}`stock_text` {cite:p}`un1998recommendations`.",
     "{term} targets"),
    ("## Effectifs\n\n{term}`effectif <migrant stock>` {eval}`stock_text` {cite:p}`un1998recommendations`.",
     "heading levels"),
    ("# Effectifs\n\n{term}`effectif <migrant stock>` {eval}`stock_text` {cite:p}`un1998recommendations`.\n\n"
     "```{note}\nNote.\n```", "directives"),
])
def test_markdown_rule(text, rule):
    problems = translation.notebook_differences(LESSON, drifted(0, source=text))
    assert len(problems) == 1 and problems[0].startswith(f"cell 0: {rule} differ"), problems


def test_directive_options_and_code_blocks():
    english = "```{dropdown} Answer\n:open:\nYes.\n```\n\n```python\n# not a heading\n```\n"
    assert translation.text_differences(english, english.replace("Answer", "Réponse")) == []
    problems = translation.text_differences(english, english.replace(":open:\n", ""))
    assert len(problems) == 1 and problems[0].startswith("directives differ")


# ---------------------------------------------------------------------------- files and pages


@pytest.fixture
def repo(tmp_path):
    """A small course: a lesson, an overview and an exercise, with _toc.yml."""
    (tmp_path / "_toc.yml").write_text(
        "root: book/intro\nparts:\n  - chapters:\n      - file: modules/m1/overview\n"
        "        sections:\n          - glob: modules/m1/[0-9]*\n          - glob: book/exercises/m1-*\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "modules" / "m1" / "fr").mkdir(parents=True)
    (tmp_path / "modules" / "m1" / "overview.md").write_text("# Overview\n\n## Lessons\n")
    (tmp_path / "modules" / "m1" / "01-stocks.ipynb").write_text(json.dumps(LESSON))
    (tmp_path / "grader" / "source" / "m1-ex1").mkdir(parents=True)
    (tmp_path / "grader" / "source" / "m1-ex1" / "m1-ex1.ipynb").write_text(json.dumps(LESSON))
    return tmp_path


def translate_all(repo: Path) -> list[Path]:
    """Write and stamp a faithful French file for every English page of ``repo``."""
    (repo / "book" / "fr").mkdir(exist_ok=True)
    (repo / "book" / "fr" / "intro.md").write_text("# Introduction\n")
    (repo / "modules" / "m1" / "fr" / "overview.md").write_text("# Aperçu\n\n## Leçons\n")
    (repo / "modules" / "m1" / "fr" / "01-stocks.ipynb").write_text(json.dumps(FRENCH))
    (repo / "grader" / "source" / "m1-ex1-fr").mkdir()
    (repo / "grader" / "source" / "m1-ex1-fr" / "m1-ex1-fr.ipynb").write_text(json.dumps(FRENCH))
    files = translation.french_files(repo)
    for french in files:
        translation.stamp(french, repo)
    return files


def test_path_rule():
    pairs = [("modules/m1/02-stocks.ipynb", "modules/m1/fr/02-stocks.ipynb"),
             ("book/guides/learners.md", "book/guides/fr/learners.md"),
             ("grader/source/m1-ex1/m1-ex1.ipynb", "grader/source/m1-ex1-fr/m1-ex1-fr.ipynb")]
    for english, french in pairs:
        assert translation.french_path(Path(english)) == Path(french)
        assert translation.english_path(Path(french)) == Path(english)
    with pytest.raises(ValueError, match="not a French file"):
        translation.english_path(Path("modules/m1/02-stocks.ipynb"))


def test_english_pages_come_from_the_toc_and_the_exercises(repo):
    assert translation.english_pages(repo) == [
        Path("book/intro.md"), Path("grader/source/m1-ex1/m1-ex1.ipynb"),
        Path("modules/m1/01-stocks.ipynb"), Path("modules/m1/overview.md")]


def test_stamped_translations_pass(repo):
    files = translate_all(repo)
    assert len(files) == 4
    assert translation.check(root=repo) == []
    record = translation.read_record(repo / "modules/m1/fr/overview.md")
    assert record["source"] == "../overview.md"
    exercise = translation.read_record(repo / "grader/source/m1-ex1-fr/m1-ex1-fr.ipynb")
    assert exercise["source"] == "../m1-ex1/m1-ex1.ipynb"


def test_markdown_structure_is_checked(repo):
    translate_all(repo)
    page = repo / "modules/m1/fr/overview.md"
    page.write_text(page.read_text().replace("## Leçons", "### Leçons"))
    problems = translation.check(root=repo)
    assert problems == ["modules/m1/fr/overview.md: heading levels differ: English [1, 2], French [1, 3]"]


def test_unstamped_file(repo):
    translate_all(repo)
    (repo / "book" / "fr" / "intro.md").write_text("# Introduction\n")
    assert translation.check(root=repo) == [
        "book/fr/intro.md: no translation fingerprint: run `python book/translation.py stamp book/fr/intro.md`"]


def test_english_changed_since_translation(repo):
    translate_all(repo)
    (repo / "modules/m1/overview.md").write_text("# Overview\n\n## Lessons\n\nNew text.\n")
    problems = translation.check(root=repo)
    assert len(problems) == 1 and problems[0].startswith("modules/m1/fr/overview.md: stale:")


def test_french_file_without_english_source(repo):
    translate_all(repo)
    (repo / "modules/m1/fr/02-flows.ipynb").write_text(json.dumps(FRENCH))
    problems = translation.check(root=repo)
    assert problems == ["modules/m1/fr/02-flows.ipynb: its English source modules/m1/02-flows.ipynb "
                        "does not exist (remove the French file, or move it beside its English page)"]


def test_page_without_french_and_the_pending_list(repo):
    translate_all(repo)
    (repo / "modules/m1/fr/overview.md").unlink()
    assert translation.check(root=repo) == [
        "modules/m1/overview.md has no French page: write modules/m1/fr/overview.md "
        "(or list modules/m1/overview.md in book/fr-pending.txt)"]
    (repo / "book" / "fr-pending.txt").write_text("# waiting\nmodules/m1/overview.md\n")
    assert translation.check(root=repo) == []
    (repo / "book" / "fr-pending.txt").write_text("book/gone.md\nbook/intro.md\nmodules/m1/overview.md\n")
    assert translation.check(root=repo) == [
        "book/fr-pending.txt: book/gone.md is not a page of the English book: remove the line",
        "book/fr/intro.md exists, but book/fr-pending.txt still lists book/intro.md: remove the line"]


def test_the_repository_is_in_parity():
    """Every French file matches its English source; pages not yet translated are listed."""
    problems = translation.check()
    assert problems == [], "\n".join(problems)
    waiting = translation.pending()
    if waiting:
        warnings.warn(f"{len(waiting)} English page(s) not yet translated ({translation.PENDING})")


# ---------------------------------------------------------------------------- glossary


def test_glossary_pages_are_generated_from_the_yml():
    for path, text in translation.glossary_pages().items():
        assert (ROOT / path).read_text(encoding="utf-8") == text, (
            f"{path} is not what book/glossary.yml makes: run `python book/translation.py glossary`")


def test_french_glossary_lists_each_entry_under_both_terms():
    pages = translation.glossary_pages()
    english, french = pages[translation.GLOSSARY_EN], pages[translation.GLOSSARY_FR]
    assert "\nusual residence\n  The country" in english
    assert "\nrésidence habituelle\nusual residence\n  Le pays" in french
    assert "\nPRAM\n  Méthode" in french  # one line when both terms are the same


def test_glossary_terms_must_be_unique(tmp_path):
    source = tmp_path / "glossary.yml"
    source.write_text(
        "title: {en: Glossary, fr: Glossaire}\nintro: {en: Intro., fr: Intro.}\nentries:\n"
        "  - {en: stock, fr: effectif, definition: {en: A count., fr: Un compte.}}\n"
        "  - {en: count, fr: effectif, definition: {en: A number., fr: Un nombre.}}\n")
    with pytest.raises(ValueError, match="'effectif' names two entries"):
        translation.glossary_pages(source)


def test_links_go_to_the_french_pages(repo):
    translate_all(repo)
    english = repo / "modules/m1/overview.md"
    english.write_text("# Overview\n\n## Lessons\n\nSee [the intro](../../book/intro.md) and {doc}`01-stocks`.\n")
    french = repo / "modules/m1/fr/overview.md"
    french.write_text("# Aperçu\n\n## Leçons\n\nVoir [l'intro](../../book/intro.md) et {doc}`01-stocks`.\n")
    translation.stamp(Path("modules/m1/fr/overview.md"), repo)
    assert translation.check(root=repo) == [
        "modules/m1/fr/overview.md: links differ: they should go to ['book/fr/intro', 'modules/m1/fr/01-stocks'] "
        "(the French pages of the English links), not ['modules/book/intro', 'modules/m1/fr/01-stocks']"]
    french.write_text("# Aperçu\n\n## Leçons\n\nVoir [l'intro](../../../book/fr/intro.md) et {doc}`01-stocks`.\n")
    translation.stamp(Path("modules/m1/fr/overview.md"), repo)
    assert translation.check(root=repo) == []


def test_directive_blocks_are_not_code():
    text = "```{note}\nSee [x](a.md).\n```\n\n# Title\n\n```python\n# not a title\n```\n\n## Two\n"
    assert translation.headings(text) == [1, 2]
    assert translation.local_links(text, Path("book/intro.md")) == {"book/a": 1}
