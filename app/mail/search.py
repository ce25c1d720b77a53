"""The `emails` filter's `search`: words, served by a full-text index on both engines.

What is searched: `Email.search_text`, the words of the subject, sender name, sender
and recipient addresses and plain body, case-folded and joined by single spaces
(`document`). A word is a run of letters and digits (`words`): `alice@vendor.example`
is the words `alice vendor example`. A search matches an email when its words occur
in that order, next to each other, each at the start of a word of the email (a
phrase of prefixes): `carol@cli` finds carol@client.example, `next week` finds
"delivery next week", `voice` does not find "invoice".

The index: on PostgreSQL the generated column `email.search_vector`
(`to_tsvector('simple', search_text)`) and a GIN index on it; on SQLite the FTS5
table `email_fts`, with `email` as its external content, kept in step by triggers
(both made by migration 0019). Python splits the words on both sides, so the
engines' tokenizers only ever see words separated by spaces and agree with each
other (PostgreSQL's own parser would keep `alice@vendor.example` as one token and
lower-case by the database locale).

Why words and not trigrams (`pg_trgm`, FTS5's trigram tokenizer), which would have
kept "contains" exactly: a trigram index is several times the size of the text it
indexes (a word index is a fraction of it) on every email written, a trigram common
to most mail (`com`, `the`) makes the candidate set most of the table again (each
candidate then re-checked against its body), and searches shorter than three
characters fall back to a scan. What people search mail for is words, names,
numbers and addresses, and a word prefix finds those as they type them.

The search is data, never query syntax: only its words reach the engine, each
quoted (FTS5) or followed by `:*` (a tsquery), so `"`, `*`, `NEAR`, `-`, `:` and
parentheses are separators or plain words. A search with no word in it (only
punctuation) matches nothing; a blank one is no condition (as before)."""

import re
from collections.abc import Iterable
from typing import Any

from pypika_tortoise.context import SqlContext
from pypika_tortoise.enums import Dialects
from pypika_tortoise.terms import Term, ValueWrapper
from tortoise.expressions import Q

_WORD = re.compile(r"[^\W_]+")
# A longer run is cut to this (base64 and hashes); the search's words are cut the
# same way, so a long word still finds itself as a prefix.
WORD_CHARS = 100
# How much of an email is indexed: PostgreSQL refuses a tsvector over 1 MB, and the
# worst case of this many characters (distinct two-letter words) is a third of it.
DOCUMENT_CHARS = 100_000
# The first words of a longer search are the phrase.
SEARCH_WORDS = 16


def words(text: str) -> list[str]:
    """The case-folded words of a text, each cut to WORD_CHARS."""
    return [word[:WORD_CHARS] for word in _WORD.findall(text.casefold())]


def document(parts: Iterable[str]) -> str:
    """`Email.search_text`: the words of the parts, in order, space-separated."""
    return " ".join(word for part in parts for word in words(part))[:DOCUMENT_CHARS]


class _Match(Term):
    """`id IN (…)`'s subquery: the ids of emails whose text matches the phrase, from
    the engine's index; the phrase is a bound parameter."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__()
        self.terms = terms

    def get_sql(self, ctx: SqlContext) -> str:
        if ctx.dialect is Dialects.POSTGRESQL:
            phrase = " <-> ".join(f"{term}:*" for term in self.terms)
            value = ValueWrapper(phrase).get_sql(ctx)
            return (
                '(SELECT "id" FROM "email" WHERE "search_vector"'
                f" @@ to_tsquery('simple', {value}))"
            )
        if ctx.dialect is Dialects.SQLITE:
            phrase = " + ".join(f'"{term}"*' for term in self.terms)
            value = ValueWrapper(phrase).get_sql(ctx)
            return f'(SELECT "rowid" FROM "email_fts" WHERE "email_fts" MATCH {value})'
        raise NotImplementedError(f"No full-text search on {ctx.dialect}")


def matching(search: str) -> Q | None:
    """The condition of a `search` filter; None for a blank one (no condition)."""
    if not search.strip():
        return None
    terms = words(search)[:SEARCH_WORDS]
    match: Any = _Match(terms) if terms else []
    return Q(id__in=match)
