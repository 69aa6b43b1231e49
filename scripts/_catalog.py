"""Extract, update, check and compile the Dutch catalogue (see scripts/translations)."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
PYBABEL = str(ROOT / ".venv" / "bin" / "pybabel")
SCRIPTS = ROOT / "static" / "js"
_JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\\"'])//[^\n]*", re.S)
_JS_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`")
_SELECTOR = re.compile(r"[#\[\]=>]|^\.|:[a-z]")


def extract() -> Catalog:
    """Every string wrapped in _(), gettext, lazy_gettext, ngettext… in the code."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                PYBABEL,
                "--quiet",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "--omit-header",
                "-o",
                str(pot),
                ".",
            ],
            check=True,
            cwd=ROOT,
        )
        with pot.open("rb") as fh:
            return read_po(fh)


def load() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="nl")


def save(catalog: Catalog) -> None:
    with PO.open("wb") as fh:
        write_po(fh, catalog, no_location=True, width=100, sort_output=True)


def problems(catalog: Catalog, template: Catalog) -> list[str]:
    found = []
    wanted = {m.id for m in template if m.id}
    have = {m.id for m in catalog if m.id}
    found += [f"not in the catalogue: {i!r}" for i in sorted(wanted - have, key=str)]
    found += [f"no longer in the code: {i!r}" for i in sorted(have - wanted, key=str)]
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(strings):
            found.append(f"untranslated: {m.id!r}")
        if m.fuzzy:
            found.append(f"fuzzy: {m.id!r}")
    return found


def looks_like_text(literal: str) -> bool:
    """A string a user would read (words, accents, a sentence), not a selector or a name."""
    if not re.search(r"[^\W\d_]", literal) or _SELECTOR.search(literal):
        return False
    if re.search(r"[À-ÿ]", literal):
        return True
    return len(re.findall(r"[^\W\d_]{2,}", literal)) >= 2 and " " in literal.strip()


def js_texts(folder: Path = SCRIPTS) -> list[str]:
    """User-facing texts written in the JavaScript: they cannot be translated there.

    The scripts read their messages from the page (``data-confirm`` and other ``data-*``
    attributes rendered with ``_()``); a text literal in a script is French for everyone.
    """
    found = []
    for path in sorted(folder.rglob("*.js")):
        source = _JS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
        for match in _JS_STRING.finditer(source):
            literal = next(g for g in match.groups() if g is not None)
            if looks_like_text(literal):
                line = source.count("\n", 0, match.start()) + 1
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(
                    f"text in {shown}:{line}: {literal!r} "
                    "(read it from a data-* attribute rendered with _())"
                )
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        catalog = load()
        catalog.update(extract(), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        save(catalog)
        todo = [m.id for m in catalog if m.id and not m.string]
        print(f"{len(catalog)} messages, {len(todo)} to translate in {PO.relative_to(ROOT)}")
        return 0
    if command == "check":
        found = problems(load(), extract()) + js_texts()
        for line in found:
            print(line)
        print(f"catalogue: {len(load())} messages, {len(found)} problems")
        return 1 if found else 0
    if command == "compile":
        subprocess.run([PYBABEL, "--quiet", "compile", "-d", "translations"], check=True, cwd=ROOT)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
