"""Every language is complete: each message the code and templates say (extracted here with
Babel's own API and babel.cfg, as `make messages` does) is translated in every catalogue, in
every plural form, keeping its placeholders; and no template says English outside gettext.

A new English string fails this until each catalogue has it: `make messages`, translate the
new entries (empty, or marked fuzzy when an old one changed), and run the tests again."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).parent.parent
TRANSLATIONS = ROOT / "network" / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
# What `make messages` passes to pybabel: lazy_gettext as _l, at import time.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# The folders `make messages` leaves out (the Makefile's IGNORED_FOLDERS, pybabel's
# --ignore-dirs): Babel's own default would leave out every folder named _* as well.
IGNORED_FOLDERS = re.search(r"^IGNORED_FOLDERS := (.+)$", (ROOT / "Makefile").read_text(),
                            re.M).group(1).split()
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdif]|%[sdif]")
# A plural form for one may say "one" rather than the number.
COUNTS = {"%(num)d", "%(count)d", "%(n)d"}


def extracted() -> dict[tuple, list[str]]:
    """(msgid or (singular, plural), context) -> where each is said."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)

    def skip_folders(path: str) -> bool:
        name = Path(path).name
        return not any(fnmatch(name, pattern) for pattern in IGNORED_FOLDERS)

    found: dict[tuple, list[str]] = {}
    for filename, line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            directory_filter=skip_folders):
        key = (tuple(message) if isinstance(message, (list, tuple)) else message, context)
        found.setdefault(key, []).append(f"{filename}:{line}")
    return found


@pytest.fixture(scope="module")
def messages():
    return extracted()


def test_there_is_a_catalogue_besides_english():
    assert CATALOGUES, "no network/translations/<code>/LC_MESSAGES/messages.po"


def test_the_extraction_finds_the_code_and_the_templates(messages):
    places = {where.split(":")[0] for found in messages.values() for where in found}
    assert any(p.startswith("templates/") and p.endswith(".html") for p in places)
    assert any(p.startswith("templates/email/") for p in places)
    assert any(p.startswith("network/") for p in places)
    assert ("Every week", None) in messages  # an _l() at import time
    # the shared macros, in a folder Babel's default would skip (as templates/_partials)
    assert any(p.startswith("templates/_macros/") for p in places)
    assert ("Show", None) in messages  # templates/_macros/forms.html, only there
    assert (("There is a problem", "There are %(num)d problems"), None) in messages


def test_the_extraction_skips_only_hidden_folders_and_caches():
    assert IGNORED_FOLDERS == [".*", "__pycache__", "node_modules"]


def test_every_template_that_says_something_is_read(messages):
    """Jinja's extractor passes over a template it cannot parse (a tag of an extension
    babel.cfg does not name, like {% do %}) without a word: its messages would go unseen."""
    places = {where.split(":")[0] for found in messages.values() for where in found}
    unread = [str(path.relative_to(ROOT)) for path in TEMPLATES
              if re.search(r"\b(?:_|n?p?gettext)\(", path.read_text())
              and str(path.relative_to(ROOT)) not in places]
    assert not unread, f"no message extracted from: {unread}"


def problems_in(catalogue_path: Path, messages: dict) -> list[str]:
    with catalogue_path.open("rb") as source:
        catalog = read_po(source, locale=catalogue_path.parent.parent.name)
    # pybabel compile skips a catalogue whose header is fuzzy: the language would quietly go.
    problems = ["fuzzy     the catalogue's header (pybabel compile would skip it)"] \
        if catalog.fuzzy else []
    for (msgid, context), where in sorted(messages.items(), key=str):
        said = f"{where[0]}: {(msgid[0] if isinstance(msgid, tuple) else msgid)[:70]!r}"
        entry = catalog.get(msgid, context)
        if entry is None:
            problems.append(f"missing   {said}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy     {said}")
            continue
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if isinstance(msgid, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"plurals   {said}: {len(strings)} of {catalog.num_plurals} forms")
            continue
        if not all(strings):
            problems.append(f"empty     {said}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            got = set(PLACEHOLDER.findall(string))
            allowed_missing = COUNTS if isinstance(msgid, tuple) else set()
            if got - wanted or (wanted - got) - allowed_missing:
                problems.append(f"placeholders {said}: {sorted(wanted)} != {sorted(got)}")
                break
    return problems


@pytest.mark.parametrize("catalogue", CATALOGUES,
                         ids=[path.parent.parent.name for path in CATALOGUES])
def test_every_message_is_translated(messages, catalogue):
    problems = problems_in(catalogue, messages)
    assert not problems, (f"{catalogue.relative_to(ROOT)}: {len(problems)} messages need a "
                          "translator (`make messages`, then fill them in):\n  "
                          + "\n  ".join(problems[:60]))


# --- English outside gettext in the templates -------------------------------------------------

LEXER = Environment(autoescape=True, extensions=["jinja2.ext.do", "jinja2.ext.i18n"])
MARK = "\x00"
HIDDEN_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
# Attributes a person hears or reads: their text must be translated too.
SAID_ATTRIBUTES = re.compile(
    r"""\s(?:aria-label|title|alt|placeholder|data-announce|aria-description)="([^"]*)\"""")
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")
LETTERS = re.compile(r"[^\W\d_]{2,}")
TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    (ROOT / "templates").rglob("*.txt"))


def bare_text(source: str) -> list[str]:
    """What a template says in words of its own: its data with every Jinja tag, expression
    and comment a marker, then HTML's tags, entities, scripts and styles taken out (the
    words in attributes that are read aloud or shown kept)."""
    data = "".join(value if kind == "data" else MARK
                   for _line, kind, value in LEXER.lex(source))
    data = HIDDEN_ELEMENTS.sub(MARK, data)
    said = SAID_ATTRIBUTES.findall(data)
    text = ENTITY.sub(" ", TAG.sub(MARK, data))
    return [words for part in [*said, text] for words in LETTERS.findall(part)]


def test_the_lexer_sees_bare_words_and_nothing_else():
    assert bare_text('<p class="lead">{{ _("Hello") }} · <a href="{{ x }}">Home</a></p>') \
        == ["Home"]
    assert bare_text('<b aria-label="Close">{% if a %}&times;{% endif %}</b>') == ["Close"]
    assert bare_text("<script>var a = 1;</script>{# a comment #}\n{{ link }}\n--") == []


@pytest.mark.parametrize("template", TEMPLATES,
                         ids=[str(path.relative_to(ROOT / "templates")) for path in TEMPLATES])
def test_no_template_says_english_outside_gettext(template):
    words = bare_text(template.read_text())
    assert not words, f"wrap these in _(): {words}"
