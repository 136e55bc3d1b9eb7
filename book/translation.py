"""The French edition: fingerprints, parity checks and the glossary (book/glossary.yml).

    python book/translation.py stamp FRENCH_FILE...   # record the English source's sha256
    python book/translation.py check [FRENCH_FILE...] # drift, structure, missing pages
    python book/translation.py glossary               # write book/glossary.md and book/fr/glossary.md

The French page of ``DIR/name.ext`` is ``DIR/fr/name.ext``; the French exercise of
``grader/source/ID/ID.ipynb`` is ``grader/source/ID-fr/ID-fr.ipynb``. Each French file records
the English file it translates and the sha256 of its bytes: notebook metadata
``translation: {source, sha256}``, or the same keys in a Markdown file's YAML front matter.
``check`` reports a French file whose English source is missing or changed, and every
difference of structure (cells, metadata, code once strings and comments are set aside,
``{eval}`` names, ``{cite}`` keys, ``{term}`` targets, headings, directives).
"""

import argparse
import ast
import copy
import hashlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = Path("grader") / "source"
PENDING = Path("book") / "fr-pending.txt"
GLOSSARY_SOURCE = Path("book") / "glossary.yml"
GLOSSARY_EN = Path("book") / "glossary.md"
GLOSSARY_FR = Path("book") / "fr" / "glossary.md"
PAGE_TYPES = (".md", ".ipynb")

# ---------------------------------------------------------------------------- the path rule


def french_path(english: Path) -> Path:
    """The French file of an English file (both relative to the repository)."""
    english = Path(english)
    if english.parent.parent == EXERCISES:
        aid = english.parent.name
        return EXERCISES / f"{aid}-fr" / f"{aid}-fr{english.suffix}"
    return english.parent / "fr" / english.name


def english_path(french: Path) -> Path:
    """The English file that a French file translates (both relative to the repository)."""
    french = Path(french)
    if french.parent.parent == EXERCISES:
        aid = french.parent.name.removesuffix("-fr")
        return EXERCISES / aid / f"{aid}{french.suffix}"
    if french.parent.name != "fr":
        raise ValueError(f"{french} is not a French file: French files live in a fr/ folder "
                         f"(DIR/fr/name) or in grader/source/ID-fr/")
    return french.parent.parent / french.name


def french_files(root: Path = ROOT) -> list[Path]:
    """Every French page and exercise source in the repository (relative paths)."""
    found = set(root.glob("modules/*/fr/*")) | set(root.glob("book/**/fr/*"))
    found |= set(root.glob(f"{EXERCISES}/*-fr/*.ipynb"))
    generated = root / "book" / "exercises" / "fr"
    return sorted(p.relative_to(root) for p in found
                  if p.suffix in PAGE_TYPES and p.parent != generated)


def english_pages(root: Path = ROOT) -> list[Path]:
    """Every page that the English _toc.yml builds, and every exercise source (relative paths).

    The learners' exercise pages (book/exercises/) are generated from the exercise sources,
    so the sources stand for them.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = _docs(root, toc["root"])
    for entry in _toc_entries(toc):
        if "file" in entry:
            pages |= _docs(root, entry["file"])
        if "glob" in entry:
            pages |= _docs(root, entry["glob"])
    pages = {p for p in pages if not p.as_posix().startswith("book/exercises/")}
    pages |= {p.relative_to(root) for p in root.glob(f"{EXERCISES}/*/*.ipynb")
              if not p.parent.name.endswith("-fr") and p.stem == p.parent.name}
    return sorted(pages)


def _toc_entries(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _toc_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_entries(item)


def _docs(root: Path, pattern: str) -> set[Path]:
    # Path.glob, like Sphinx, does not let * cross a folder.
    return {p.relative_to(root) for suffix in PAGE_TYPES for p in root.glob(pattern + suffix)}


# ---------------------------------------------------------------------------- fingerprints


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fingerprint(french: Path, root: Path = ROOT) -> dict:
    """The ``translation`` record for a French file: its English source and that file's sha256."""
    english = english_path(french)
    if not (root / english).exists():
        raise FileNotFoundError(f"{french}: its English source {english} does not exist")
    return {"source": Path(os.path.relpath(english, french.parent)).as_posix(),
            "sha256": sha256(root / english)}


def read_record(path: Path) -> dict | None:
    """The ``translation`` record that a French file holds, or None."""
    text = Path(path).read_text(encoding="utf-8")
    meta = json.loads(text).get("metadata", {}) if path.suffix == ".ipynb" else front_matter(text)[0]
    record = meta.get("translation")
    return record if isinstance(record, dict) else None


def stamp(french: Path, root: Path = ROOT) -> dict:
    """Write the fingerprint of its English source into a French file; return the record."""
    record = fingerprint(french, root)
    path = root / french
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        nb.setdefault("metadata", {})["translation"] = record
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        meta, body = front_matter(text)
        meta["translation"] = record
        header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        path.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return record


def front_matter(text: str) -> tuple[dict, str]:
    """A Markdown file's YAML front matter (or {}) and the text after it."""
    match = re.match(r"---\n(.*?\n)?---\n", text, re.S)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1) or "") or {}
    return meta, text[match.end():]


# ---------------------------------------------------------------------------- structure

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})(.*)$")
ROLE = r"\{%s\}`([^`]+)`"


def eval_names(text: str) -> Counter:
    return Counter(name.strip() for name in re.findall(ROLE % "eval", text))


def cite_keys(text: str) -> Counter:
    """The cited keys; a French edition ``KEY-fr`` counts as ``KEY``."""
    keys = Counter()
    for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
        keys.update(k.strip().removesuffix("-fr") for k in group.split(",") if k.strip())
    return keys


def term_targets(text: str) -> Counter:
    """The glossary terms that ``{term}`` roles point to: the part after ``<``, lower-cased."""
    targets = Counter()
    for body in re.findall(ROLE % "term", text):
        match = re.search(r"<([^<>]+)>\s*$", body)
        targets[" ".join((match.group(1) if match else body).split()).lower()] += 1
    return targets


def outside_code(text: str) -> str:
    """The text without its code blocks; directive blocks (```{name} ... ```) are kept."""
    kept, code, directives = [], None, []
    for line in text.splitlines():
        match = FENCE.match(line)
        if code:
            if match and match.group(2)[0] == code[0] and len(match.group(2)) >= len(code) \
                    and not match.group(3).strip():
                code = None
            continue
        if match:
            fence, info = match.group(2), match.group(3).strip()
            if info.startswith("{"):
                directives.append(fence)
            elif not info and directives and fence[0] == directives[-1][0] \
                    and len(fence) >= len(directives[-1]):
                directives.pop()
            elif fence[0] in "`~":
                code = fence
                continue
        kept.append(line)
    return "\n".join(kept)


def headings(text: str) -> list[int]:
    return [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s", outside_code(text), re.M)]


def directives(text: str) -> list[str]:
    """Each MyST directive's name and option names, in order: ``name[opt,opt]``."""
    found, lines = [], outside_code(text).splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^\s*(`{3,}|:{3,})\{([\w:.-]+)\}", line)
        if match:
            options = []
            for following in lines[i + 1:]:
                option = re.match(r"^\s*:([\w-]+):", following)
                if not option:
                    break
                options.append(option.group(1))
            found.append(f"{match.group(2)}[{','.join(sorted(options))}]")
    return found


def local_links(text: str, page: Path) -> Counter:
    """The pages and files that a text links to (Markdown links and {doc} roles), from the
    repository root, without .md/.ipynb; ``page`` is the file that holds the text."""
    text = re.sub(r"^\s*(`{3,}|~{3,}|:{3,}).*$", " ", outside_code(text), flags=re.M)  # fences
    targets = [re.sub(r".*<([^<>]+)>\s*$", r"\1", t, flags=re.S) for t in re.findall(ROLE % "doc", text)]
    text = re.sub(r"`[^`]*`", " ", re.sub(r"\{[\w:.-]+\}`[^`]*`", " ", text))
    targets += re.findall(r"\]\(([^)\s]+)\)", text)
    found = Counter()
    for target in targets:
        target = target.split("#")[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue
        path = Path(os.path.normpath(target.lstrip("/") if target.startswith("/") else page.parent / target))
        found[path.with_suffix("").as_posix() if path.suffix in PAGE_TYPES else path.as_posix()] += 1
    return found


def french_doc(english_doc: str) -> str:
    """The French page name of an English page name (no suffix): DIR/fr/name, exercises ID-fr."""
    folder, _, name = english_doc.rpartition("/")
    if folder == "book/exercises":
        return f"book/exercises/fr/{name}-fr"
    return f"{folder}/fr/{name}" if folder else f"fr/{name}"


def link_differences(english: str, french: str, en_page: Path, fr_page: Path, root: Path) -> list[str]:
    """The links of a French text must go to the French pages of the English text's links."""
    def expected(target):
        is_page = any((root / f"{target}{suffix}").exists() for suffix in PAGE_TYPES)
        return french_doc(target) if is_page else target

    wanted = Counter({expected(t): n for t, n in local_links(english, en_page).items()})
    got = local_links(french, fr_page)
    if wanted == got:
        return []
    return [f"links differ: they should go to {_show(wanted)} (the French pages of the English "
            f"links), not {_show(got)}"]


TEXT_RULES = {"{eval} names": eval_names, "{cite} keys": cite_keys, "{term} targets": term_targets,
              "heading levels": headings, "directives": directives}


def text_differences(english: str, french: str, pages: tuple | None = None) -> list[str]:
    """How the Markdown structure of a French text differs from its English source.

    ``pages`` (English file, French file, repository root) also checks the links.
    """
    problems = link_differences(english, french, *pages) if pages else []
    for rule, extract in TEXT_RULES.items():
        en, fr = extract(english), extract(french)
        if en != fr:
            problems.append(f"{rule} differ: English {_show(en)}, French {_show(fr)}")
    return problems


def _show(value) -> str:
    if isinstance(value, Counter):
        return str(sorted(value.elements()))
    return str(value)


MAGICS = {"run_line_magic", "run_cell_magic", "system", "getoutput"}


class _BlankStrings(ast.NodeTransformer):
    """Blank every string, except the arguments of IPython magics (they are code)."""

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in MAGICS and isinstance(func.value, ast.Call) \
                and getattr(func.value.func, "id", "") == "get_ipython":
            return node
        return self.generic_visit(node)

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, (str, bytes)) else node

    def visit_JoinedStr(self, node):
        return ast.Constant("")


def code_shape(source: str) -> list[str]:
    """Each statement of a code cell, with every string blanked; comments are dropped."""
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    tree = _BlankStrings().visit(tree)
    return [ast.dump(statement) for statement in tree.body]


def _without_alt(metadata: dict) -> dict:
    metadata = copy.deepcopy(metadata)
    image = metadata.get("mystnb", {}).get("image", {})
    image.pop("alt", None)
    if "image" in metadata.get("mystnb", {}) and not image:
        del metadata["mystnb"]["image"]
    if "mystnb" in metadata and not metadata["mystnb"]:
        del metadata["mystnb"]
    return metadata


def cell_differences(number: int, en: dict, fr: dict, pages: tuple | None = None) -> list[str]:
    """How French cell ``number`` differs from the English cell in structure."""
    where = f"cell {number}"
    if en["cell_type"] != fr["cell_type"]:
        return [f"{where}: English {en['cell_type']} cell, French {fr['cell_type']} cell"]
    problems = []
    en_meta, fr_meta = _without_alt(en.get("metadata", {})), _without_alt(fr.get("metadata", {}))
    if en_meta.get("nbgrader") != fr_meta.get("nbgrader"):
        problems.append(f"{where}: nbgrader metadata differ: English {en_meta.get('nbgrader')}, "
                        f"French {fr_meta.get('nbgrader')}")
    en_meta.pop("nbgrader", None), fr_meta.pop("nbgrader", None)
    if en_meta != fr_meta:
        problems.append(f"{where}: cell metadata differ (only mystnb.image.alt may): "
                        f"English {en_meta}, French {fr_meta}")
    en_text, fr_text = _source(en), _source(fr)
    if en["cell_type"] == "code":
        problems += [f"{where}: {p}" for p in _code_differences(en_text, fr_text)]
    elif en["cell_type"] == "markdown":
        problems += [f"{where}: {p}" for p in text_differences(en_text, fr_text, pages)]
    return problems


def _code_differences(english: str, french: str) -> list[str]:
    try:
        en, fr = code_shape(english), code_shape(french)
    except SyntaxError as error:
        return [f"code does not parse ({error.msg}, line {error.lineno})"]
    for i, (a, b) in enumerate(zip(en, fr)):
        if a != b:
            return [f"code differs from statement {i + 1} on (strings and comments set aside): "
                    f"English {_statement(english, i)!r}, French {_statement(french, i)!r}"]
    if len(en) != len(fr):
        return [f"code has {len(fr)} statements, English has {len(en)}"]
    return []


def _statement(source: str, index: int) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    return ast.get_source_segment(code, ast.parse(code).body[index]) or ""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def notebook_differences(english: dict, french: dict, pages: tuple | None = None) -> list[str]:
    """How a French notebook differs from its English source in structure (see text_differences)."""
    en_cells, fr_cells = english.get("cells", []), french.get("cells", [])
    problems = []
    if len(en_cells) != len(fr_cells):
        problems.append(f"{len(fr_cells)} cells, English has {len(en_cells)}")
    for number, (en, fr) in enumerate(zip(en_cells, fr_cells)):
        problems += cell_differences(number, en, fr, pages)
    return problems


# ---------------------------------------------------------------------------- checks


def check_file(french: Path, root: Path = ROOT) -> list[str]:
    """Every problem of one French file: its source, its fingerprint and its structure."""
    french = Path(french)
    try:
        english = english_path(french)
    except ValueError as error:
        return [str(error)]
    if not (root / english).exists():
        return [f"{french}: its English source {english} does not exist (remove the French "
                f"file, or move it beside its English page)"]
    record = read_record(root / french)
    problems = []
    expected = fingerprint(french, root)
    if record is None:
        problems.append(f"{french}: no translation fingerprint: run "
                        f"`python book/translation.py stamp {french}`")
    elif record.get("source") != expected["source"]:
        problems.append(f"{french}: fingerprint names {record.get('source')!r}, the English "
                        f"source is {expected['source']!r}: restamp it")
    elif record.get("sha256") != expected["sha256"]:
        problems.append(f"{french}: stale: {english} changed since it was translated: update "
                        f"the French text, then run `python book/translation.py stamp {french}`")
    problems += [f"{french}: {p}" for p in structure_differences(english, french, root)]
    return problems


def structure_differences(english: Path, french: Path, root: Path = ROOT) -> list[str]:
    en_text = (root / english).read_text(encoding="utf-8")
    fr_text = (root / french).read_text(encoding="utf-8")
    pages = (english, french, root)
    if french.suffix == ".ipynb":
        return notebook_differences(json.loads(en_text), json.loads(fr_text), pages)
    return text_differences(front_matter(en_text)[1], front_matter(fr_text)[1], pages)


def pending(root: Path = ROOT) -> list[Path]:
    """The English pages listed in book/fr-pending.txt as not yet translated."""
    path = root / PENDING
    if not path.exists():
        return []
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Path(line) for line in lines if line]


def coverage_problems(root: Path = ROOT) -> list[str]:
    """Pages in one language only, taking book/fr-pending.txt into account."""
    pages, waiting = english_pages(root), pending(root)
    problems = [f"{PENDING}: {p} is not a page of the English book: remove the line"
                for p in waiting if p not in pages]
    for page in pages:
        french = french_path(page)
        exists = (root / french).exists()
        if page in waiting and exists:
            problems.append(f"{french} exists, but {PENDING} still lists {page}: remove the line")
        elif page not in waiting and not exists:
            problems.append(f"{page} has no French page: write {french} "
                            f"(or list {page} in {PENDING})")
    return problems


def check(files: list[Path] | None = None, root: Path = ROOT) -> list[str]:
    """Every problem of the given French files, or of the whole repository (with coverage)."""
    problems = [] if files else coverage_problems(root)
    for french in files or french_files(root):
        problems += check_file(Path(french), root)
    return problems


# ---------------------------------------------------------------------------- language

# Stop words of one language only (none is also a French word, or the reverse).
ENGLISH_WORDS = frozenset(
    "the of and to in is that for with are be by this which from at not have has was were their "
    "they its it can will we you your what when how each who does do there these than more only "
    "into if so been would should must one".split())
FRENCH_WORDS = frozenset(
    "le la les des du de un une et est sont dans pour par sur que qui ne pas au aux ce cette ces "
    "se sa son ses leur leurs avec ou il elle ils nous vous mais plus en d l qu".split())
MIN_WORDS = 8


def prose(text: str) -> str:
    """The words a reader reads in a Markdown text: code, roles' targets, URLs and math left out."""
    text = outside_code(text)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"^%.*$", " ", text, flags=re.M)                        # MyST comments
    text = re.sub(r"^\s*(`{3,}|:{3,})\{[^}]*\}", " ", text, flags=re.M)   # directive names
    text = re.sub(r"^\s*(`{3,}|:{3,})\s*$", " ", text, flags=re.M)
    text = re.sub(r"^\s*:[\w-]+:.*$", " ", text, flags=re.M)               # directive options
    text = re.sub(r"\{(?:cite(?::\w+)?|eval|numref|download)\}`[^`]*`", " ", text)
    text = re.sub(r"\{\w+(?::\w+)?\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", text)  # {term}`shown <target>`
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|https?://\S+|<[^>]+>", " ", text)
    return text


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def reads_as_english(text: str, min_words: int = MIN_WORDS) -> bool:
    """True when a text of at least ``min_words`` words has more English than French stop words."""
    found = words(text)
    english = sum(w in ENGLISH_WORDS for w in found)
    return len(found) >= min_words and english > sum(w in FRENCH_WORDS for w in found)


def english_paragraphs(text: str) -> list[str]:
    """The paragraphs of a Markdown text that read as English."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", prose(text)) if reads_as_english(p)]


def english_in_french_file(french: Path, root: Path = ROOT) -> list[str]:
    """Where a French file still reads as English: prose paragraphs and figure alt texts."""
    text = (root / french).read_text(encoding="utf-8")
    if french.suffix != ".ipynb":
        return [f"{french}: English paragraph: {p[:120]!r}" for p in english_paragraphs(front_matter(text)[1])]
    problems = []
    for number, cell in enumerate(json.loads(text).get("cells", [])):
        if cell["cell_type"] == "markdown":
            problems += [f"{french}: cell {number}: English paragraph: {p[:120]!r}"
                         for p in english_paragraphs(_source(cell))]
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        if reads_as_english(alt, min_words=5):
            problems.append(f"{french}: cell {number}: English alt text: {alt[:120]!r}")
    return problems


# ---------------------------------------------------------------------------- glossary


def glossary_pages(source: Path = ROOT / GLOSSARY_SOURCE) -> dict[Path, str]:
    """The English and French glossary pages that book/glossary.yml makes."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    english = _glossary_page(data["title"]["en"], data["intro"]["en"],
                             [([e["en"]], e["definition"]["en"]) for e in data["entries"]])
    _check_unique_terms(data["entries"])
    french_entries = [([e["fr"], e["en"]] if e["fr"].lower() != e["en"].lower() else [e["en"]],
                       e["definition"]["fr"]) for e in data["entries"]]
    french = _glossary_page(data["title"]["fr"], data["intro"]["fr"], french_entries)
    header = yaml.safe_dump({"translation": {"source": "../glossary.md",
                                             "sha256": hashlib.sha256(english.encode()).hexdigest()}},
                            sort_keys=False)
    note = f"% Generated from {GLOSSARY_SOURCE} by `python book/translation.py glossary`: edit that file.\n"
    return {GLOSSARY_EN: english, GLOSSARY_FR: f"---\n{header}---\n{note}{french}"}


def _glossary_page(title: str, intro: str, entries: list[tuple[list[str], str]]) -> str:
    blocks = ["\n".join(terms) + "\n" + "".join(f"  {line}\n" if line else "\n"
                                                  for line in definition.rstrip().splitlines())
              for terms, definition in entries]
    return f"# {title}\n\n{intro.rstrip()}\n\n```{{glossary}}\n" + "\n".join(blocks) + "```\n"


def _check_unique_terms(entries: list[dict]) -> None:
    seen = {}
    for entry in entries:
        for term in {entry["en"].lower(), entry["fr"].lower()}:
            if term in seen:
                raise ValueError(f"{GLOSSARY_SOURCE}: the term {term!r} names two entries "
                                 f"({seen[term]!r} and {entry['en']!r}): make it unique")
            seen[term] = entry["en"]


def write_glossary(root: Path = ROOT) -> list[Path]:
    written = []
    for path, text in glossary_pages(root / GLOSSARY_SOURCE).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------------------- command line


def _relative_to_root(name: str) -> Path:
    path = Path(name).resolve()
    try:
        return path.relative_to(ROOT)
    except ValueError:
        raise SystemExit(f"{name} is not in the course repository {ROOT}") from None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("stamp", help="record the English source's fingerprint").add_argument(
        "files", nargs="+")
    commands.add_parser("check", help="report drift and structure differences").add_argument(
        "files", nargs="*")
    commands.add_parser("glossary", help="write both glossary pages from book/glossary.yml")
    args = parser.parse_args(argv)
    if args.command == "stamp":
        for name in args.files:
            record = stamp(_relative_to_root(name))
            print(f"stamped {name}: {record['source']} {record['sha256'][:12]}")
        return 0
    if args.command == "glossary":
        for path in write_glossary():
            print(f"wrote {path}")
        return 0
    problems = check([_relative_to_root(name) for name in args.files])
    for problem in problems:
        print(problem)
    waiting = len(pending()) if not args.files else 0
    print(f"{len(problems)} problem(s)" + (f"; {waiting} page(s) pending in {PENDING}" if waiting else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
