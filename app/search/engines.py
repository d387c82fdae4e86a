"""The two engines behind `app.search.queries`: the same questions asked of PostgreSQL full-text search and of SQLite
FTS5. `branches()` gives the candidate posts (newest matches, and newest title matches) with a rank; `ranked()` every
match ranked (for similar questions, on opening posts only); `snippets()` the highlighted excerpts of the page.
"""

import sqlalchemy as sa
from markupsafe import Markup, escape

from app.extensions import db
from app.search.models import SearchDocument
from app.search.text import ParsedQuery, snippet

docs = SearchDocument.__table__


def _newest_matches(stmt, order_column, conditions, limit: int, in_title: bool):
    return (
        stmt.where(*conditions)
        .order_by(order_column.desc())
        .limit(limit)
        .add_columns(sa.literal(1 if in_title else 0).label("in_title"))
    )


def _tsquery(websearch: str):
    return sa.func.websearch_to_tsquery(sa.literal_column("'russian'::regconfig"), websearch)


class PostgreSQLEngine:
    def __init__(self, websearch: str = "", tsquery=None, *, words: int = 1, window: int = 0,
                 title_window: int = 0):  # fmt: skip
        self.tsquery = tsquery if tsquery is not None else _tsquery(websearch)
        # Several words: PostgreSQL multiplies their shares as if they were independent («теорема» and «Пифагора»
        # always come together: it expects 1 500 matches of 28 000, then fetches them all from the heap). For such
        # queries the newest `window` posts are walked first (bounded work), and GIN is asked only for older posts
        # and only when the walk found too few.
        self.window = window if words > 1 else 0
        # Opening posts are 4 % of the posts: the title branch walked 96 000 posts newest first to find 2 000 opening
        # posts with «урок» (35 ms). It looks among the newest `title_window` posts first instead (`_windowed_titles`).
        self.title_window = title_window

    def branches(self, conditions, limit: int) -> list:
        """The newest `limit` matching posts, and the newest `limit` matching opening posts (titles, through the
        partial GIN index), then ranked: ts_rank reads only these rows. The planner picks between fetching every
        match through GIN and walking the posts newest first until `limit` match (the primary key, or the
        association's or the kind's index when filtered)."""
        match = docs.c.search_vector.op("@@")(self.tsquery)
        columns = (docs.c.thread_id, docs.c.post_id, docs.c.created_at, docs.c.search_vector)
        body = (
            self._windowed(columns, conditions, limit)
            if self.window
            else _newest_matches(sa.select(*columns), docs.c.post_id, [match, *conditions], limit, False)
        )
        title = (
            self._windowed_titles(columns, conditions, limit)
            if self.title_window
            else _newest_matches(sa.select(*columns), docs.c.post_id, [match, docs.c.is_opening, *conditions], limit,
                                 True)
        )  # fmt: skip
        branches = []
        for newest in (body.subquery(), title.subquery()):
            rank = sa.func.ts_rank(newest.c.search_vector, self.tsquery)
            branches.append(
                sa.select(
                    newest.c.thread_id, newest.c.post_id, newest.c.created_at, rank.label("rank"), newest.c.in_title
                )
            )
        return branches

    def _windowed(self, columns, conditions, limit: int):
        """The newest `limit` matches among the newest `window` posts, then, only if that found fewer than `limit`,
        through GIN among the older posts. Within the window the planner chooses: walking the primary key backwards
        (words often together: «ученики класса», 6 ms) or GIN ANDed with the window's range of the primary key
        (words seldom together: «подготовка к ВПР», 7 ms against 21 walked). The window bounds what a wrong
        estimate costs: «теорема Пифагора», always together, expected 526 matches and found 2 845 (12 ms)."""
        floor = sa.select(sa.func.coalesce(sa.func.max(docs.c.post_id), 0) - self.window).scalar_subquery()
        match = docs.c.search_vector.op("@@")(self.tsquery)
        recent = _newest_matches(
            sa.select(*columns), docs.c.post_id, [docs.c.post_id > floor, match, *conditions], limit, False
        ).cte("recent_matches")
        too_few = sa.select(sa.func.count()).select_from(recent).scalar_subquery() < limit
        # `post_id + 0`: a condition, not an index range. As a range, PostgreSQL read the primary key's 450 000
        # older ids into a bitmap to AND with GIN's few (13 ms of «Смутное время»'s 54).
        older_only = (docs.c.post_id + 0) <= floor
        older = _newest_matches(
            sa.select(*columns), docs.c.post_id,
            [older_only, match, too_few, *conditions], limit, False,
        )  # fmt: skip
        both = sa.union_all(sa.select(recent), older).subquery()
        return sa.select(*both.c).order_by(both.c.post_id.desc()).limit(limit)

    def _windowed_titles(self, columns, conditions, limit: int):
        """The newest `limit` matching opening posts, in two bitmap scans that each read only their matches: among
        the newest `title_window` posts (the opening posts' GIN index ANDed with that range of the primary key:
        13 ms for «урок»), then, only if that found fewer than `limit`, among the older ones (GIN alone). Ordering
        by `post_id + 0` keeps the planner from walking the primary key backwards instead, which for a title word
        reads every post until `limit` opening posts match."""
        match = docs.c.search_vector.op("@@")(self.tsquery)
        floor = sa.select(sa.func.coalesce(sa.func.max(docs.c.post_id), 0) - self.title_window).scalar_subquery()
        unordered = (docs.c.post_id + 0).desc()
        recent = (
            sa.select(*columns)
            .where(docs.c.is_opening, docs.c.post_id > floor, match, *conditions)
            .order_by(unordered)
            .limit(limit)
            .add_columns(sa.literal(1).label("in_title"))
            .cte("recent_titles")
        )
        too_few = sa.select(sa.func.count()).select_from(recent).scalar_subquery() < limit
        older = (
            sa.select(*columns)
            .where(docs.c.is_opening, (docs.c.post_id + 0) <= floor, match, too_few, *conditions)
            .order_by(unordered)
            .limit(limit)
            .add_columns(sa.literal(1).label("in_title"))
        )
        both = sa.union_all(sa.select(recent), older).subquery()
        return sa.select(*both.c).order_by(both.c.post_id.desc()).limit(limit)

    def ranked(self, columns):
        rank = sa.func.ts_rank(docs.c.search_vector, self.tsquery)
        return sa.select(*columns, rank.label("rank")).where(docs.c.search_vector.op("@@")(self.tsquery))

    def snippets(self, texts: list[str], parsed: ParsedQuery) -> list[Markup]:
        if not texts:
            return []
        options = 'StartSel="\x01", StopSel="\x02", MaxWords=30, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
        table = (
            sa.func.unnest(sa.cast(sa.literal(texts), sa.ARRAY(sa.Text)))
            .table_valued("txt", with_ordinality="n")
            .render_derived()
        )
        headline = sa.func.ts_headline(sa.literal_column("'russian'::regconfig"), table.c.txt, self.tsquery, options)
        rows = db.session.scalars(sa.select(headline).select_from(table).order_by(table.c.n))
        return [_marked_headline(text) for text in rows]


class SQLiteEngine:
    _fts = sa.table("search_fts", sa.column("rowid"))

    def __init__(self, match: str, title_match: str | None = None, facets: str | None = None):
        """`facets`: the filters as an FTS5 expression over the facet words (`app.search.models.FTS_CREATE`), ANDed
        with the query so that FTS5 walks only what passes them; the SQL conditions still decide."""
        if facets:
            match = f"({match}) AND {facets}"
            title_match = f"({title_match}) AND {facets}" if title_match else None
        self.match = match
        self.title_match = title_match

    def branches(self, conditions, limit: int) -> list:
        """The newest `limit` matching posts, and the newest `limit` whose title matches: FTS5 walks its rowids
        backwards and stops. Without bm25 (its statistics read every match of a common word): a title match ranks
        2.5, a body match 1, and the newest first among equals."""
        fts = sa.literal_column("search_fts")
        branches = []
        for match, in_title in ((self.match, False), (self.title_match, True)):
            stmt = (
                sa.select(docs.c.thread_id, docs.c.post_id, docs.c.created_at,
                          sa.literal(2.5 if in_title else 1.0).label("rank"))
                .select_from(self._fts.join(docs, docs.c.post_id == self._fts.c.rowid))
                .where(fts.op("MATCH")(match))
            )  # fmt: skip
            branches.append(sa.select(_newest_matches(stmt, self._fts.c.rowid, conditions, limit, in_title).subquery()))
        return branches

    def ranked(self, columns):
        fts = sa.literal_column("search_fts")
        rank = -sa.func.bm25(fts, 2.5, 1.0)  # bm25: lower is better; the title weighs 2.5 times the body
        return (
            sa.select(*columns, rank.label("rank"))
            .select_from(self._fts.join(docs, docs.c.post_id == self._fts.c.rowid))
            .where(fts.op("MATCH")(self.match))
        )

    def snippets(self, texts: list[str], parsed: ParsedQuery) -> list[Markup]:
        stems = parsed.stems()
        return [snippet(text, stems) for text in texts]


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def engine_for(parsed: ParsedQuery, window: int = 0, title_window: int = 0, facets: list[list[str]] | None = None):
    """`facets` (used by SQLite): groups of facet words; a post must hold one word of every group."""
    if is_postgresql():
        words = len(parsed.terms) + sum(len(phrase) for phrase in parsed.phrases)
        return PostgreSQLEngine(parsed.websearch(), words=words, window=window, title_window=title_window)
    expression = " AND ".join("(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in facets or ())
    return SQLiteEngine(parsed.fts5(), parsed.fts5("title"), expression or None)


def _marked_headline(text: str) -> Markup:
    """ts_headline's plain text with its \x01…\x02 marks: escape everything, then turn the marks into <mark>."""
    escaped = str(escape(text)).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return Markup(" ".join(escaped.split()))  # noqa: S704  (the text was escaped; only our own tags are added)
