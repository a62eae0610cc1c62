"""What a person typed, as a query no engine can misread: words, "quoted phrases", OR between
two terms, -left out. Nothing typed reaches FTS5's MATCH or PostgreSQL's to_tsquery but words
of letters and digits, which this module writes into each one's syntax."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_TERMS = 10  # more words than this narrow nothing and cost more
MAX_WORD = 40  # no word is longer; a longer run is cut
PREFIX_FROM = 2  # a word this long or longer also finds words it begins ("minib": minibus)

_TOKEN = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase: words one after the other. The last word of a term that was
    not quoted also finds longer words it begins."""

    words: tuple[str, ...]
    prefix: bool

    def fts5(self) -> str:
        # Words hold letters and digits alone, so the quotes are the only syntax.
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def tsquery(self, loose: bool = False) -> str:
        """loose: a phrase's words anywhere (what the index answers without reading rows)."""
        parts = list(self.words)
        if self.prefix:
            parts[-1] += ":*"
        return "(" + (" & " if loose else " <-> ").join(parts) + ")"

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """All of `wanted` (each one term or another, `a OR b`), none of `unwanted`."""

    wanted: tuple[tuple[Term, ...], ...] = ()
    unwanted: tuple[Term, ...] = ()
    cut: bool = False  # words beyond MAX_TERMS were left out
    words: tuple[str, ...] = field(default=())  # every word looked for, for the page

    @property
    def empty(self) -> bool:
        return not self.wanted

    def fts5(self) -> str:
        """An FTS5 MATCH expression."""
        found = " AND ".join("(" + " OR ".join(term.fts5() for term in group) + ")"
                             for group in self.wanted)
        if self.unwanted:
            found = f"({found}) NOT (" + " OR ".join(t.fts5() for t in self.unwanted) + ")"
        return found

    @property
    def phrases(self) -> bool:
        return any(term.phrase for group in self.wanted for term in group) or any(
            term.phrase for term in self.unwanted)

    def tsquery(self, loose: bool = False) -> str:
        """A PostgreSQL to_tsquery text. loose: every document the query finds and perhaps
        more (phrases' words anywhere, phrases left out not left out), which a GIN index
        answers without reading each row to check where the words are."""
        found = " & ".join("(" + " | ".join(term.tsquery(loose) for term in group) + ")"
                           for group in self.wanted)
        unwanted = [t for t in self.unwanted if not (loose and t.phrase)]
        if unwanted:
            found = f"({found}) & !(" + " | ".join(t.tsquery() for t in unwanted) + ")"
        return found


def _term(text: str, quoted: bool) -> Term | None:
    words = tuple(word[:MAX_WORD] for word in _WORD.findall(
        unicodedata.normalize("NFKC", text).casefold()))
    if not words:
        return None
    return Term(words, prefix=not quoted and len(words[-1]) >= PREFIX_FROM)


def parse(text: str | None) -> Query:
    wanted: list[list[Term]] = []
    unwanted: list[Term] = []
    join_next = False  # an OR was just read
    count = 0
    cut = False
    for minus, phrase, bare in _TOKEN.findall(text or ""):
        if bare == "OR":
            join_next = bool(wanted)
            continue
        if bare:
            minus, quoted, words = ("-", False, bare[1:]) if bare.startswith("-") \
                else ("", False, bare)
        else:
            quoted, words = True, phrase
        term = _term(words, quoted)
        if term is None:
            continue
        if count >= MAX_TERMS:
            cut = True
            break
        count += 1
        if minus:
            unwanted.append(term)
        elif join_next:
            wanted[-1].append(term)
        else:
            wanted.append([term])
        join_next = False
    every = tuple(dict.fromkeys(w for group in wanted for term in group for w in term.words))
    return Query(tuple(tuple(group) for group in wanted), tuple(unwanted), cut, every)
