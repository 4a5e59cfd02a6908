# ruff: noqa: S608  (SQL is built from identifiers checked by FullTextIndex; values are bound)
"""Full-text search plumbing, per dialect, behind one Python API.

A ``FullTextIndex`` describes which text columns of a source table are searchable, and how much each
weighs. The migration that owns the source table creates the index with ``create_statements`` (and
drops it with ``drop_statements``): on SQLite an FTS5 virtual table over the source (external
content, ``unicode61 remove_diacritics 2`` tokenizer) kept in sync by triggers; on PostgreSQL a shadow
table of weighted ``tsvector`` documents (``unaccent`` + ``simple`` configuration) with a GIN index,
kept in sync by a trigger. Nothing outside the database maintains the index.

Services build a ``Query`` (groups of alternatives, every group required; a term is a word or a
phrase, optionally a prefix) and join ``hits(index, dialect, query)`` — a subquery of ``(id, score)``
rows, higher score is better — to their own table to filter and order. ``normalize``/``words`` are
the Python side of the same tokenizer (case- and accent-folding), for vocabularies and for turning
what a person typed into terms.

Caveat for later migrations: on SQLite, a batch ("move and copy") migration of the source table drops
its triggers; re-run ``create_statements`` after such a migration (``rebuild_statements`` refills).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_WORD = re.compile(r"[^\W_]+")
_PG_WEIGHT_LETTERS = "ABCD"


def normalize(text: str | None) -> str:
    """Lower case, accents removed (``Détection`` -> ``detection``): what both indexes do."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str | None) -> list[str]:
    """The index's tokens of ``text``: runs of letters and digits, normalized."""
    return _WORD.findall(normalize(text))


@dataclass(frozen=True)
class FullTextIndex:
    """Searchable columns of ``table`` (rows keyed by the integer column ``key``)."""

    name: str
    table: str
    columns: tuple[str, ...]
    weights: tuple[float, ...]
    key: str = "id"
    prefix_lengths: tuple[int, ...] = (2, 3)

    def __post_init__(self) -> None:
        for identifier in (self.name, self.table, self.key, *self.columns):
            if not _IDENTIFIER.match(identifier):
                raise ValueError(f"not a plain SQL identifier: {identifier!r}")
        if len(self.weights) != len(self.columns) or not self.columns:
            raise ValueError("one weight per column, at least one column")
        if any(weight <= 0 for weight in self.weights):
            raise ValueError("weights must be positive")


@dataclass(frozen=True)
class Term:
    """One word or phrase (several words in order); ``prefix`` lets its last word be unfinished."""

    words: tuple[str, ...]
    prefix: bool = False

    @classmethod
    def of(cls, text: str, *, prefix: bool = False) -> Term | None:
        found = tuple(words(text))
        return cls(found, prefix) if found else None


@dataclass(frozen=True)
class Query:
    """Every group must match; within a group, any one term (an acronym or its expansion)."""

    groups: tuple[tuple[Term, ...], ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return any(self.groups)

    @classmethod
    def all_of(cls, terms: Iterable[Term]) -> Query:
        return cls(tuple((term,) for term in terms))


# -- DDL -------------------------------------------------------------------------------------------
def create_statements(index: FullTextIndex, dialect: str) -> list[str]:
    """DDL that creates the index, its sync triggers, and fills it from existing rows."""
    if dialect == "sqlite":
        return _sqlite_create(index)
    if dialect == "postgresql":
        return _postgres_create(index)
    raise NotImplementedError(f"full-text search on {dialect}")


def drop_statements(index: FullTextIndex, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {index.name}_{event}" for event in ("ai", "ad", "au")] + [
            f"DROP TABLE IF EXISTS {index.name}_vocab",
            f"DROP TABLE IF EXISTS {index.name}",
        ]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {index.name}_sync ON {index.table}",
            f"DROP FUNCTION IF EXISTS {index.name}_sync()",
            f"DROP TABLE IF EXISTS {index.name}",
        ]
    raise NotImplementedError(f"full-text search on {dialect}")


def rebuild_statements(index: FullTextIndex, dialect: str) -> list[str]:
    """Refill the index from the source table (after a bulk change made with triggers off)."""
    if dialect == "sqlite":
        return [f"INSERT INTO {index.name}({index.name}) VALUES ('rebuild')"]
    if dialect == "postgresql":
        return [f"DELETE FROM {index.name}", _postgres_fill(index)]
    raise NotImplementedError(f"full-text search on {dialect}")


def _sqlite_create(index: FullTextIndex) -> list[str]:
    name, cols = index.name, ", ".join(index.columns)
    new = ", ".join(f"new.{c}" for c in index.columns)
    old = ", ".join(f"old.{c}" for c in index.columns)
    prefix = f", prefix='{' '.join(str(n) for n in index.prefix_lengths)}'" if index.prefix_lengths else ""
    delete_old = f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.{index.key}, {old});"
    insert_new = f"INSERT INTO {name}(rowid, {cols}) VALUES (new.{index.key}, {new});"
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='{index.table}', "
        f"content_rowid='{index.key}', tokenize='unicode61 remove_diacritics 2'{prefix})",
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {index.table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {index.table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE OF {cols} ON {index.table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"CREATE VIRTUAL TABLE {name}_vocab USING fts5vocab({name}, 'row')",
        *rebuild_statements(index, "sqlite"),
    ]


def _postgres_document(index: FullTextIndex, row: str) -> str:
    parts = []
    for column in index.columns:
        letter = _postgres_letter(index, column)
        parts.append(
            f"setweight(to_tsvector('simple', unaccent(coalesce({row}{column}::text, ''))), '{letter}')"
        )
    return " || ".join(parts)


def _postgres_fill(index: FullTextIndex) -> str:
    return (
        f"INSERT INTO {index.name}(rowid, document) "
        f"SELECT {index.key}, {_postgres_document(index, '')} FROM {index.table}"
    )


def _postgres_create(index: FullTextIndex) -> list[str]:
    name = index.name
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        f"CREATE TABLE {name} (rowid BIGINT PRIMARY KEY REFERENCES {index.table}({index.key}) "
        "ON DELETE CASCADE, document tsvector NOT NULL)",
        f"CREATE INDEX {name}_document ON {name} USING gin(document)",
        f"CREATE FUNCTION {name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {name}(rowid, document) VALUES (NEW.{index.key}, {_postgres_document(index, 'NEW.')}) "
        "ON CONFLICT (rowid) DO UPDATE SET document = EXCLUDED.document; RETURN NEW; END $$",
        f"CREATE TRIGGER {name}_sync AFTER INSERT OR UPDATE OF {', '.join(index.columns)} "
        f"ON {index.table} FOR EACH ROW EXECUTE FUNCTION {name}_sync()",
        _postgres_fill(index),
    ]


# -- vocabulary -----------------------------------------------------------------------------------
def vocabulary_create_statements(index: FullTextIndex, dialect: str) -> list[str]:
    """DDL for the index's vocabulary, (term, number of documents) kept by the database as rows
    change. SQLite's comes with the index (``fts5vocab``). On PostgreSQL a table, counted by
    statement-level triggers on the source table: a batch insert counts its terms once, and an
    update counts only rows whose text changed. Deltas are applied in term order, so concurrent
    writers lock terms in the same order and never deadlock."""
    if dialect == "sqlite":
        return []
    if dialect == "postgresql":
        return _postgres_vocabulary(index)
    raise NotImplementedError(f"full-text search on {dialect}")


def vocabulary_drop_statements(index: FullTextIndex, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return []
    if dialect == "postgresql":
        terms = f"{index.name}_terms"
        return [
            *(f"DROP TRIGGER IF EXISTS {terms}_{event} ON {index.table}" for event in ("ai", "au", "ad")),
            f"DROP FUNCTION IF EXISTS {terms}_count()",
            f"DROP TABLE IF EXISTS {terms}",
        ]
    raise NotImplementedError(f"full-text search on {dialect}")


def _postgres_vocabulary(index: FullTextIndex) -> list[str]:
    name, table, key, terms = index.name, index.table, index.key, f"{index.name}_terms"

    def lexemes(alias: str, rows: str, delta: int) -> str:
        document = _postgres_document(index, f"{alias}.")
        return f"SELECT unnest(tsvector_to_array({document})) AS term, {delta} AS delta FROM {rows}"

    def count(*parts: str) -> str:
        return (
            f"INSERT INTO {terms} AS t (term, docs) SELECT term, sum(delta)::int "
            f"FROM ({' UNION ALL '.join(parts)}) AS d GROUP BY term HAVING sum(delta) <> 0 ORDER BY term "
            "ON CONFLICT (term) DO UPDATE SET docs = t.docs + EXCLUDED.docs;"
        )

    def indexed(rows: str) -> str:
        """New documents, as the index's row trigger (which has already run) stored them."""
        return (
            f"SELECT unnest(tsvector_to_array(f.document)) AS term, 1 AS delta "
            f"FROM {rows} JOIN {name} f ON f.rowid = n.{key}"
        )

    text_changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in index.columns)
    changed = f"new_rows n JOIN old_rows o ON o.{key} = n.{key}"
    edited = count(
        indexed(f"{changed} AND ({text_changed})"), lexemes("o", f"{changed} WHERE {text_changed}", -1)
    )
    body = (
        f"IF TG_OP = 'INSERT' THEN {count(indexed('new_rows n'))} "
        f"ELSIF TG_OP = 'UPDATE' THEN {edited} "
        f"ELSE {count(lexemes('o', 'old_rows o', -1))} END IF; RETURN NULL;"
    )
    each = "FOR EACH STATEMENT EXECUTE FUNCTION"
    return [
        f"CREATE TABLE {terms} (term TEXT PRIMARY KEY, docs INTEGER NOT NULL)",
        f"CREATE FUNCTION {terms}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
        f"CREATE TRIGGER {terms}_ai AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"{each} {terms}_count()",
        f"CREATE TRIGGER {terms}_au AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {each} {terms}_count()",
        f"CREATE TRIGGER {terms}_ad AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"{each} {terms}_count()",
        f"INSERT INTO {terms} (term, docs) SELECT word, ndoc FROM ts_stat('SELECT document FROM {name}')",
    ]


# -- queries ---------------------------------------------------------------------------------------
def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: ``("riid" OR "radionuclide identification device") AND "portal"*``."""

    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")

    groups = [group for group in query.groups if group]
    return " AND ".join("(" + " OR ".join(term(t) for t in group) + ")" for group in groups)


def tsquery(query: Query) -> str:
    """The PostgreSQL ``to_tsquery('simple', …)`` text for the same query."""

    def term(t: Term) -> str:
        last = len(t.words) - 1
        return " <-> ".join(
            f"'{word}'" + (":*" if t.prefix and i == last else "") for i, word in enumerate(t.words)
        )

    groups = [group for group in query.groups if group]
    return " & ".join("(" + " | ".join(f"({term(t)})" for t in group) + ")" for group in groups)


def hits(
    index: FullTextIndex,
    dialect: str,
    query: Query,
    *,
    window: int | None = None,
    columns: tuple[str, ...] | None = None,
    rank: bool = True,
    alias: str | None = None,
    recent_first: bool = True,
) -> sa.Subquery:
    """A subquery of the rows matching ``query``: columns ``id`` and ``score`` (higher is better).

    Join it to the source table on ``id`` to filter (server, labels…) and ``ORDER BY score DESC``.
    With ``window``, only the ``window`` most recent matches (highest ids) are scored: BM25 costs a
    few microseconds per matching row, so a very common word in a very large library would
    otherwise be scored tens of thousands of times; the window bounds the work per query.
    ``columns`` restricts matching to some columns (type-ahead on titles); without ``rank`` every
    score is 0 and no relevance is computed (the cheapest: order the join by id instead).
    ``alias`` names the subquery and its bound parameter, so that one statement may hold several.
    ``recent_first`` (PostgreSQL, with ``window``): look among the newest documents first (see
    ``_postgres_recent_first``); without it, straight through the index.
    """
    if not query:
        raise ValueError("empty full-text query")
    for column in columns or ():
        if column not in index.columns:
            raise ValueError(f"{column!r} is not a column of {index.name}")
    name = alias or f"{index.name}_hits"
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    param = f"{alias or index.name}_q"  # "<index>_q" unless aliased: callers may bind it themselves
    if dialect == "sqlite":
        weights = ", ".join(repr(float(w)) for w in index.weights)
        score = f"-bm25({index.name}, {weights})" if rank else "0.0"
        sql = f"SELECT rowid AS id, {score} AS score FROM {index.name} WHERE {index.name} MATCH :{param}"
        value = match_value(dialect, query, columns)
        order = "rowid"
    elif dialect == "postgresql":
        top = max(index.weights)
        ordered = sorted(index.weights, reverse=True)[:4]
        ordered += [ordered[-1]] * (4 - len(ordered))
        pg_weights = ", ".join(f"{w / top:.4f}" for w in reversed(ordered))
        score = f"ts_rank('{{{pg_weights}}}', f.document, q.query)" if rank else "0.0"
        sql = (
            f"SELECT f.rowid AS id, {score} AS score FROM {index.name} f, "
            f"to_tsquery('simple', :{param}) AS q(query) WHERE f.document @@ q.query"
        )
        if columns:
            letters = ",".join(_postgres_letter(index, column).lower() for column in columns)
            sql += f" AND ts_filter(f.document, '{{{letters}}}') @@ q.query"
        value = match_value(dialect, query, columns)
        order = "f.rowid"
        if window is not None and recent_first:
            sql = _postgres_recent_first(sql, index.name, int(window))
            window = None
    else:
        raise NotImplementedError(f"full-text search on {dialect}")
    if window is not None:
        sql += f" ORDER BY {order} DESC LIMIT {int(window)}"
    statement = sa.text(sql).bindparams(sa.bindparam(param, value=value))
    return statement.columns(sa.column("id", sa.Integer), sa.column("score", sa.Float)).subquery(name)


def match_value(dialect: str, query: Query, columns: tuple[str, ...] | None = None) -> str:
    """The value ``hits`` binds for ``query`` (``<index>_q``): to bind it anew in a statement built
    once (a cached statement, whose bound value is only an example)."""
    if dialect == "postgresql":
        return tsquery(query)
    value = fts5_match(query)
    return "{" + " ".join(columns) + "} : (" + value + ")" if columns else value


RECENT_ROWS = 5000  # PostgreSQL: newest documents tried first for a window of the newest matches


def recent_hits(
    index: FullTextIndex, query: Query, *, columns: tuple[str, ...], rows: int = RECENT_ROWS
) -> sa.Subquery:
    """PostgreSQL: the matches of ``query`` among the ``rows`` newest documents, newest first, read
    in that order (columns ``id``, ``score`` 0): joined to the source table, filtered and cut at a
    page, reading stops as soon as the page is full."""
    if not query:
        raise ValueError("empty full-text query")
    letters = ",".join(_postgres_letter(index, column).lower() for column in columns)
    param = f"{index.name}_q"
    # the query parsed once, in FROM (in WHERE, a generic plan would parse it again for every row);
    # the whole document tried first, which is cheaper than building its title and tags part
    sql = (
        f"SELECT f.rowid AS id, 0.0 AS score FROM to_tsquery('simple', :{param}) AS q(query), "
        f"(SELECT rowid, document FROM {index.name} ORDER BY rowid DESC LIMIT {int(rows)}) f "
        f"WHERE f.document @@ q.query AND ts_filter(f.document, '{{{letters}}}') @@ q.query "
        "ORDER BY f.rowid DESC"
    )
    statement = sa.text(sql).bindparams(sa.bindparam(param, value=tsquery(query)))
    return statement.columns(sa.column("id", sa.Integer), sa.column("score", sa.Float)).subquery(
        f"{index.name}_recent"
    )


def _postgres_recent_first(sql: str, name: str, window: int) -> str:
    """The ``window`` newest matches of ``sql`` (a ``SELECT … FROM {name} f, … WHERE …``): first
    among the ``RECENT_ROWS`` newest documents, read in order (a common prefix such as ``do`` has
    its window there, where the GIN index would hand every one of its matches to be sorted); only
    when they hold fewer, through the index. The same rows either way."""
    recent = sql.replace(
        f"FROM {name} f,",
        f"FROM (SELECT rowid, document FROM {name} ORDER BY rowid DESC LIMIT {RECENT_ROWS}) f,",
        1,
    )
    cut = f" ORDER BY f.rowid DESC LIMIT {window}"
    return (
        f"WITH recent AS MATERIALIZED ({recent}{cut}) "
        f"SELECT id, score FROM recent WHERE (SELECT count(*) FROM recent) >= {window} "
        f"UNION ALL SELECT id, score FROM ({sql}{cut}) g WHERE (SELECT count(*) FROM recent) < {window}"
    )


def _postgres_letter(index: FullTextIndex, column: str) -> str:
    ordered = [c for _w, c in sorted(zip(index.weights, index.columns, strict=True), reverse=True)]
    return _PG_WEIGHT_LETTERS[min(ordered.index(column), 3)]


def any_match(index: FullTextIndex, dialect: str, query: Query) -> sa.TextClause:
    """``SELECT 1`` when at least one row matches (any server): a cheap 'is this word indexed?'."""
    if dialect == "sqlite":
        sql, value = f"SELECT 1 FROM {index.name} WHERE {index.name} MATCH :q LIMIT 1", fts5_match(query)
    elif dialect == "postgresql":
        # Materialized first: for a word that is not indexed, a plain "… LIMIT 1" made the planner
        # bet on an early hit and scan every document (25-66 ms at 100k); this costs at most the
        # number of matches (0.1 ms for an absent word, a few ms for a very common one).
        sql = (
            f"WITH m AS MATERIALIZED (SELECT 1 AS one FROM {index.name} "
            "WHERE document @@ to_tsquery('simple', :q)) SELECT one FROM m LIMIT 1"
        )
        value = tsquery(query)
    else:
        raise NotImplementedError(f"full-text search on {dialect}")
    return sa.text(sql).bindparams(q=value)


def match_count(index: FullTextIndex, dialect: str, query: Query) -> sa.TextClause:
    """How many rows match (in every server): tells whether a ``window`` cut anything off."""
    if dialect == "sqlite":
        sql, value = f"SELECT count(*) FROM {index.name} WHERE {index.name} MATCH :q", fts5_match(query)
    elif dialect == "postgresql":
        sql = f"SELECT count(*) FROM {index.name} WHERE document @@ to_tsquery('simple', :q)"
        value = tsquery(query)
    else:
        raise NotImplementedError(f"full-text search on {dialect}")
    return sa.text(sql).bindparams(q=value)


def indexed_terms(
    index: FullTextIndex, dialect: str, first: str, limit: int | None = None
) -> sa.TextClause | None:
    """(term, number of rows) for indexed terms starting with ``first`` (at most ``limit``, in
    order), from the index's own vocabulary (SQLite's fts5vocab), to expand an unfinished word
    into these exact terms: cheaper for FTS5 than a ``word*`` prefix query when they are few.
    None elsewhere: PostgreSQL's prefix queries are fast enough, and search results should come
    from the index itself, not from the trigger-kept vocabulary that "did you mean" reads
    (``vocabulary_terms``)."""
    if dialect != "sqlite" or not first:
        return None
    upper = first[:-1] + chr(ord(first[-1]) + 1)
    sql = f"SELECT term, doc FROM {index.name}_vocab WHERE term >= :lo AND term < :hi"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sa.text(sql).bindparams(lo=first, hi=upper)


def vocabulary_terms(index: FullTextIndex, dialect: str, first: str) -> sa.TextClause:
    """(term, number of documents) for the indexed terms starting with ``first``, from the
    vocabulary the database keeps (see ``vocabulary_create_statements``): every server's."""
    upper = first[:-1] + chr(ord(first[-1]) + 1)
    if dialect == "sqlite":
        sql = f"SELECT term, doc FROM {index.name}_vocab WHERE term >= :lo AND term < :hi"
    elif dialect == "postgresql":
        sql = f"SELECT term, docs FROM {index.name}_terms WHERE term >= :lo AND term < :hi AND docs > 0"
    else:
        raise NotImplementedError(f"full-text search on {dialect}")
    return sa.text(sql).bindparams(lo=first, hi=upper)
