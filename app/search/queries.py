"""The search interface: `search(user, query, filters, page)` and `similar_questions(user, title, body)`.

One pipeline for both engines; only the match and its rank differ (`_PostgreSQL`, `_SQLite`):
hits (posts that match, that the user may read, within the filters) → the best hit of each thread → one page of
threads with the total, in one query → the page's threads, posts and authors in one query → snippets (PostgreSQL:
`ts_headline` in one query; SQLite: highlighted in Python from the same text). A page costs the same queries however
many posts match.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape

from app.associations.models import Association, AssociationLevel, association_subjects
from app.associations.queries import visible_to
from app.auth.models import User
from app.db import fold_for_search
from app.directory.models import EducationLevel
from app.discussions.models import Post, Tag, Thread, ThreadKind, thread_tags
from app.discussions.queries import page_of
from app.extensions import db
from app.search.indexing import apply_pending
from app.search.models import SearchDocument
from app.search.text import STOP_WORDS, ParsedQuery, highlight, parse_query, plain_text, snippet, stem, words

docs = SearchDocument.__table__
PER_PAGE = 20
# A query ranks at most this many of the newest matching posts (and as many matching titles): a common word matches
# half the district, and ranking all of it costs more than the page's budget. Fewer matches are all ranked.
# The setting SEARCH_CANDIDATES overrides it.
CANDIDATES = 2000
SORTS = ("relevance", "newest")


@dataclass
class SearchFilters:
    association_id: int | None = None
    kind: ThreadKind | None = None
    author_id: int | None = None
    author: str | None = None  # part of the author's name
    tag: str | None = None  # a tag's (folded) name
    level: EducationLevel | None = None
    subject_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"


@dataclass
class Hit:
    thread_id: int
    title: Markup  # highlighted
    kind: ThreadKind
    association_name: str
    association_slug: str
    post_id: int
    post_number: int
    author_id: int | None
    author_name: str | None
    created_at: datetime
    snippet: Markup
    reply_count: int = 0

    @property
    def post_page(self) -> int:
        return page_of(self.post_number)


@dataclass
class Results:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # threads found
    more: bool = False  # more matched than were ranked: `total` is a lower bound
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge=1, left_current=2, right_current=2, right_edge=1):
        """Page numbers with None for the gaps, as Flask-SQLAlchemy's pagination gives them to the macro."""
        last = 0
        for n in range(1, self.pages + 1):
            near = self.page - left_current <= n <= self.page + right_current
            if n <= left_edge or n > self.pages - right_edge or near:
                if last + 1 != n:
                    yield None
                yield n
                last = n


# --- the two engines ----------------------------------------------------------------------------------------------


def _newest_matches(stmt, order_column, conditions, limit: int, in_title: bool):
    return (
        stmt.where(*conditions)
        .order_by(order_column.desc())
        .limit(limit)
        .add_columns(sa.literal(1 if in_title else 0).label("in_title"))
    )


def _tsquery(websearch: str):
    return sa.func.websearch_to_tsquery(sa.literal_column("'russian'::regconfig"), websearch)


class _PostgreSQL:
    def __init__(self, websearch: str = "", tsquery=None):
        self.tsquery = tsquery if tsquery is not None else _tsquery(websearch)

    def branches(self, conditions, limit: int) -> list:
        """The newest `limit` matching posts, and the newest `limit` matching opening posts (titles, through the
        partial GIN index), then ranked: ts_rank reads only these rows. The planner picks between fetching every
        match through GIN and walking the posts newest first until `limit` match (the primary key, or the
        association's or the kind's index when filtered)."""
        match = docs.c.search_vector.op("@@")(self.tsquery)
        plans = [(False, [match]), (True, [match, docs.c.is_opening])]
        columns = (docs.c.thread_id, docs.c.post_id, docs.c.created_at, docs.c.search_vector)
        branches = []
        for in_title, where in plans:
            newest = _newest_matches(sa.select(*columns), docs.c.post_id, [*where, *conditions], limit, in_title)
            newest = newest.subquery()
            rank = sa.func.ts_rank(newest.c.search_vector, self.tsquery)
            branches.append(
                sa.select(
                    newest.c.thread_id, newest.c.post_id, newest.c.created_at, rank.label("rank"), newest.c.in_title
                )
            )
        return branches

    def hits(self, columns):
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


class _SQLite:
    _fts = sa.table("search_fts", sa.column("rowid"))

    def __init__(self, match: str, title_match: str | None = None):
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

    def hits(self, columns):
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


def _engine(parsed: ParsedQuery):
    if db.session.get_bind().dialect.name == "postgresql":
        return _PostgreSQL(parsed.websearch())
    return _SQLite(parsed.fts5(), parsed.fts5("title"))


def _marked_headline(text: str) -> Markup:
    """ts_headline's plain text with its \x01…\x02 marks: escape everything, then turn the marks into <mark>."""
    escaped = str(escape(text)).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return Markup(" ".join(escaped.split()))  # noqa: S704  (the text was escaped; only our own tags are added)


# --- conditions ---------------------------------------------------------------------------------------------------


def _readable(user):
    """Posts the user may find: visible ones in associations they may read."""
    return sa.and_(
        docs.c.visible.is_(True),
        docs.c.association_id.in_(sa.select(Association.id).where(visible_to(user))),
    )


def _day_start(day: date) -> datetime:
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Moscow"))
    return datetime.combine(day, time.min, tzinfo=zone)


def _filtered(filters: SearchFilters) -> list:
    conditions = []
    if filters.association_id:
        conditions.append(docs.c.association_id == filters.association_id)
    if filters.kind:
        conditions.append(docs.c.kind == ThreadKind(filters.kind))
    if filters.author_id:
        conditions.append(docs.c.author_id == filters.author_id)
    if filters.author:
        named = sa.select(User.id).where(User.search_name.contains(fold_for_search(filters.author), autoescape=True))
        conditions.append(docs.c.author_id.in_(named))
    if filters.tag:
        tagged = sa.select(thread_tags.c.thread_id).join(Tag, Tag.id == thread_tags.c.tag_id)
        conditions.append(docs.c.thread_id.in_(tagged.where(Tag.name == filters.tag)))
    if filters.level:
        levels = sa.select(AssociationLevel.association_id).where(AssociationLevel.level == filters.level)
        conditions.append(docs.c.association_id.in_(levels))
    if filters.subject_id:
        subjects = sa.select(association_subjects.c.association_id)
        conditions.append(
            docs.c.association_id.in_(subjects.where(association_subjects.c.subject_id == filters.subject_id))
        )
    if filters.date_from:
        conditions.append(docs.c.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        conditions.append(docs.c.created_at < _day_start(filters.date_to + timedelta(days=1)))
    return conditions


# --- search -------------------------------------------------------------------------------------------------------


def search(user, query: str | ParsedQuery, filters: SearchFilters | None = None, page: int = 1,
           per_page: int = PER_PAGE) -> Results:  # fmt: skip
    """One page of threads matching the query, best first (or newest first), each with its best-matching post."""
    filters = filters or SearchFilters()
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    apply_pending(db.session)  # this session's own writes not yet committed
    results = Results(parsed, page=max(1, page), per_page=per_page)
    if parsed.is_empty:
        return results
    engine = _engine(parsed)
    conditions = [_readable(user), *_filtered(filters)]
    candidates = current_app.config.get("SEARCH_CANDIDATES", CANDIDATES)
    hits = sa.union_all(*engine.branches(conditions, candidates)).subquery("hits")
    newest = filters.sort == "newest"
    order = (hits.c.created_at.desc(), hits.c.rank.desc()) if newest else (hits.c.rank.desc(), hits.c.created_at.desc())
    best = sa.select(
        hits,
        sa.func.row_number().over(partition_by=hits.c.thread_id, order_by=(*order, hits.c.post_id)).label("n"),
        sa.func.count().over().label("matched"),
        sa.func.sum(hits.c.in_title).over().label("in_titles"),
    ).subquery("best")
    ordered = (
        (best.c.created_at.desc(), best.c.rank.desc()) if newest else (best.c.rank.desc(), best.c.created_at.desc())
    )
    rows = db.session.execute(
        sa.select(
            best.c.thread_id, best.c.post_id, best.c.matched, best.c.in_titles, sa.func.count().over().label("total")
        )
        .where(best.c.n == 1)
        .order_by(*ordered, best.c.thread_id.desc())
        .limit(per_page)
        .offset((results.page - 1) * per_page)
    ).all()
    if not rows:
        return results
    first = rows[0]
    results.total = first.total
    results.more = first.in_titles >= candidates or first.matched - first.in_titles >= candidates
    results.hits = _load_hits([row.post_id for row in rows], parsed, engine)
    return results


def _load_hits(post_ids: list[int], parsed: ParsedQuery, engine) -> list[Hit]:
    rows = db.session.execute(
        sa.select(
            Post.id, Post.number, Post.body_html, Post.created_at, Post.author_id, User.full_name,
            Thread.id.label("thread_id"), Thread.title, Thread.kind, Thread.reply_count,
            Association.name, Association.slug,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.id.in_(post_ids))
    ).all()  # fmt: skip
    by_id = {row.id: row for row in rows}
    rows = [by_id[post_id] for post_id in post_ids if post_id in by_id]
    snippets = engine.snippets([plain_text(row.body_html).replace("\x01", "").replace("\x02", "") for row in rows],
                               parsed)  # fmt: skip
    stems = parsed.stems()
    return [
        Hit(
            thread_id=row.thread_id, title=highlight(row.title, stems), kind=row.kind, association_name=row.name,
            association_slug=row.slug, post_id=row.id, post_number=row.number, author_id=row.author_id,
            author_name=row.full_name, created_at=row.created_at, snippet=text, reply_count=row.reply_count,
        )
        for row, text in zip(rows, snippets, strict=True)
    ]  # fmt: skip


# --- similar questions --------------------------------------------------------------------------------------------

SIMILAR_WORDS = 8


def similar_query(title: str, body: str = "") -> ParsedQuery:
    """Any of the title's words (then the first words of the text), at most SIMILAR_WORDS: the more of them a
    question's title shares, the closer."""
    found = [w for w in words(f"{title} {body}") if w not in STOP_WORDS and len(w) > 2]
    unique = list({stem(w): w for w in reversed(found)}.values())[::-1]  # one word per stem, first spelling kept
    return ParsedQuery(terms=unique[:SIMILAR_WORDS])


def similar_questions(user, title: str, body: str = "", limit: int = 5) -> list[Hit]:
    """The answered questions (a reply or more) the user may read whose titles are most like this title and text.

    Titles only: matching any word of the bodies too reads most of the district for common words (100 ms on SQLite
    at 500 000 posts, against 30 ms)."""
    parsed = similar_query(title, body)
    if parsed.is_empty:
        return []
    apply_pending(db.session)
    if db.session.get_bind().dialect.name == "postgresql":
        # to_tsquery with weight A (the title): the words are [^\W_]+ only, so they cannot be tsquery syntax.
        in_titles = " | ".join(f"{word}:A" for word in parsed.terms)
        engine = _PostgreSQL(tsquery=sa.func.to_tsquery(sa.literal_column("'russian'::regconfig"), in_titles))
    else:
        engine = _SQLite("{title} : (" + " OR ".join(f'"{stem(word)}"' for word in parsed.terms) + ")")
    hits = (
        engine.hits([docs.c.post_id])
        .join(Thread, Thread.id == docs.c.thread_id)
        .where(_readable(user), docs.c.is_opening, docs.c.kind == ThreadKind.QUESTION)
        .where(Thread.reply_count > 0)
        .order_by(sa.literal_column("rank").desc(), docs.c.post_id.desc())
        .limit(limit)
    )
    post_ids = list(db.session.scalars(hits))
    return _load_hits(post_ids, parsed, engine) if post_ids else []
