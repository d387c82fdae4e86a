"""The search interface: `search(user, query, filters, page)` and `similar_questions(user, title, body)`.

One pipeline for both engines; only the match and its rank differ (`app.search.engines`):
hits (posts that match, that the user may read, within the filters) → the best hit of each thread → one page of
threads with the total, in one query → the page's threads, posts and authors in one query → snippets (PostgreSQL:
`ts_headline` in one query; SQLite: highlighted in Python from the same text). A page costs the same queries however
many posts match.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from app.associations.models import Association, AssociationLevel, association_subjects
from app.associations.queries import visible_to
from app.auth.models import User
from app.consultations.models import Question, QuestionStatus
from app.db import fold_for_search
from app.directory.models import EducationLevel
from app.discussions.models import Post, Tag, Thread, ThreadKind, thread_tags
from app.discussions.privacy import private_visible, sees_every_private_question
from app.discussions.queries import page_of
from app.extensions import db
from app.search.engines import PostgreSQLEngine, SQLiteEngine, engine_for, is_postgresql
from app.search.indexing import apply_pending
from app.search.models import FACET_PREFIX, SearchDocument
from app.search.text import STOP_WORDS, ParsedQuery, highlight, parse_query, plain_text, stem, words

docs = SearchDocument.__table__
PER_PAGE = 20
# A query ranks at most this many of the newest matching posts (and as many matching titles): a common word matches
# half the district, and ranking all of it costs more than the page's budget. Fewer matches are all ranked.
# The setting SEARCH_CANDIDATES overrides it.
CANDIDATES = 2000
# PostgreSQL, queries of several words and no filter: how many of the newest posts are walked before GIN is asked
# (SEARCH_WINDOW; 0 turns it off). A walk of 50 000 posts costs about 15 ms and finds 2 000 matches of words that
# are together in 4 % of the posts or more.
WINDOW = 50_000
# PostgreSQL, no filter: the title branch looks for matching opening posts among this many of the newest posts first
# (SEARCH_TITLE_WINDOW; 0 turns it off). 100 000 posts hold about 4 000 threads: enough for a word in half the
# titles to fill the candidates without reading older ones.
TITLE_WINDOW = 100_000
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
    status: str | None = None  # questions only: "solved" (решён) or "unsolved" (новый, в работе, отвечен)
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
    status: QuestionStatus | None = None  # a question's

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


# --- conditions ---------------------------------------------------------------------------------------------------


def _readable(user):
    """Posts the user may find: visible ones in associations they may read, outside private questions they may not
    see (those are few: the partial index ix_threads_private lists them)."""
    conditions = [
        docs.c.visible.is_(True),
        docs.c.association_id.in_(sa.select(Association.id).where(visible_to(user))),
    ]
    if not sees_every_private_question(user):
        hidden = sa.select(Thread.id).where(Thread.is_private, ~private_visible(user))
        conditions.append(docs.c.thread_id.not_in(hidden))
    return sa.and_(*conditions)


def _day_start(day: date) -> datetime:
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Moscow"))
    return datetime.combine(day, time.min, tzinfo=zone)


@dataclass
class Narrowing:
    """The filters as SQL conditions (which decide) and, for SQLite, as groups of facet words (a post holds one word
    of each group; `app.search.models.FTS_CREATE`) that let FTS5 walk only what can pass them."""

    conditions: list = field(default_factory=list)
    facets: list[list[str]] = field(default_factory=list)
    empty: bool = False  # nothing can pass (an unused tag, a level no association has)

    def facet(self, *words: str) -> None:
        if not words:
            self.empty = True
        self.facets.append([f"{FACET_PREFIX}{word}" for word in words])


# PostgreSQL: a tag filter names its threads when there are at most this many, and the planner reads their posts
# through the thread index instead of walking every match of a common word. More threads: a subquery, the planner's
# choice. (SQLite: the tag is a facet word.)
TAGGED_THREADS = 2000
# The date filter becomes month facet words when it spans at most this many months.
FACET_MONTHS = 60


def _narrowing(filters: SearchFilters) -> Narrowing:
    narrowing = Narrowing()
    conditions = narrowing.conditions
    sqlite = not is_postgresql()
    if filters.association_id:
        conditions.append(docs.c.association_id == filters.association_id)
        narrowing.facet(f"a{filters.association_id}")
    kind = ThreadKind.QUESTION if filters.status in QUESTION_STATES else filters.kind and ThreadKind(filters.kind)
    if filters.kind and kind != ThreadKind(filters.kind):
        narrowing.empty = True  # questions' status asked of another kind
    if kind:
        conditions.append(docs.c.kind == kind)
        narrowing.facet(f"k{kind.value}")
    if filters.author_id:
        conditions.append(docs.c.author_id == filters.author_id)
        narrowing.facet(f"u{filters.author_id}")
    if filters.author:
        named = sa.select(User.id).where(User.search_name.contains(fold_for_search(filters.author), autoescape=True))
        conditions.append(docs.c.author_id.in_(named))
    if filters.tag:
        _narrow_by_tag(narrowing, filters.tag)
    if filters.level:
        levels = sa.select(AssociationLevel.association_id).where(AssociationLevel.level == filters.level)
        conditions.append(docs.c.association_id.in_(levels))
        if sqlite:
            narrowing.facet(*(f"a{id_}" for id_ in db.session.scalars(levels)))
    if filters.subject_id:
        subjects = sa.select(association_subjects.c.association_id)
        subjects = subjects.where(association_subjects.c.subject_id == filters.subject_id)
        conditions.append(docs.c.association_id.in_(subjects))
        if sqlite:
            narrowing.facet(*(f"a{id_}" for id_ in db.session.scalars(subjects)))
    start = _day_start(filters.date_from) if filters.date_from else None
    end = _day_start(filters.date_to + timedelta(days=1)) if filters.date_to else None
    if start:
        conditions.append(docs.c.created_at >= start)
    if end:
        conditions.append(docs.c.created_at < end)
    if start and sqlite and (months := _months(start, end or datetime.now(UTC))) is not None:
        narrowing.facet(*months)
    if filters.status in QUESTION_STATES:
        questions = sa.select(Question.thread_id).where(Question.status.in_(QUESTION_STATES[filters.status]))
        conditions.append(docs.c.thread_id.in_(questions))
    return narrowing


def _narrow_by_tag(narrowing: Narrowing, tag: str) -> None:
    tag_id = sa.select(Tag.id).where(Tag.name == tag)
    tagged = sa.select(thread_tags.c.thread_id).where(thread_tags.c.tag_id == tag_id.scalar_subquery())
    if not is_postgresql():
        narrowing.conditions.append(docs.c.thread_id.in_(tagged))
        narrowing.facet(*(f"t{id_}" for id_ in db.session.scalars(tag_id)))
        return
    thread_ids = list(db.session.scalars(tagged.order_by(thread_tags.c.thread_id).limit(TAGGED_THREADS + 1)))
    if len(thread_ids) > TAGGED_THREADS:
        narrowing.conditions.append(docs.c.thread_id.in_(tagged))
    elif thread_ids:  # one array parameter: 700 bound values cost SQLAlchemy and PostgreSQL ~4 ms to handle
        tagged_ids = sa.bindparam("tagged_thread_ids", thread_ids, type_=sa.ARRAY(sa.Integer))
        narrowing.conditions.append(docs.c.thread_id == sa.any_(tagged_ids))
    else:
        narrowing.empty = True


def _months(start: datetime, end: datetime) -> list[str] | None:
    """The UTC months from `start` to just before `end` as facet words (m202406), or None when there are too many."""
    first, last = start.astimezone(UTC), (end - timedelta(microseconds=1)).astimezone(UTC)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > FACET_MONTHS:
        return None
    months = []
    for n in range(max(count, 0)):
        year, month = divmod(first.month - 1 + n, 12)
        months.append(f"m{first.year + year}{month + 1:02d}")
    return months


# The question-status filter's values: a question is solved once resolved; closed ones (duplicates, not questions)
# are neither.
QUESTION_STATES = {
    "solved": (QuestionStatus.RESOLVED,),
    "unsolved": (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS, QuestionStatus.ANSWERED),
}


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
    narrowing = _narrowing(filters)
    if narrowing.empty:
        return results
    # A filter can leave few of the newest posts: the walk would then be wasted, and the planner's own choice
    # (through the association's or kind's index, or GIN) is the better one.
    window = 0 if narrowing.conditions else current_app.config.get("SEARCH_WINDOW", WINDOW)
    title_window = 0 if narrowing.conditions else current_app.config.get("SEARCH_TITLE_WINDOW", TITLE_WINDOW)
    engine = engine_for(parsed, window=window, title_window=title_window, facets=narrowing.facets)
    conditions = [_readable(user), *narrowing.conditions]
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
            Association.name, Association.slug, Question.status,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(User, User.id == Post.author_id)
        .outerjoin(Question, Question.thread_id == Thread.id)
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
            status=row.status,
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
        engine = PostgreSQLEngine(tsquery=sa.func.to_tsquery(sa.literal_column("'russian'::regconfig"), in_titles))
    else:
        engine = SQLiteEngine("{title} : (" + " OR ".join(f'"{stem(word)}"' for word in parsed.terms) + ")")
    hits = (
        engine.ranked([docs.c.post_id])
        .join(Thread, Thread.id == docs.c.thread_id)
        .where(_readable(user), docs.c.is_opening, docs.c.kind == ThreadKind.QUESTION)
        .where(Thread.reply_count > 0)
        .order_by(sa.literal_column("rank").desc(), docs.c.post_id.desc())
        .limit(limit)
    )
    post_ids = list(db.session.scalars(hits))
    return _load_hits(post_ids, parsed, engine) if post_ids else []


# --- the knowledge base -------------------------------------------------------------------------------------------


def knowledge_entries(parsed: ParsedQuery, limit: int = 3) -> list:
    """Published consultations (app/consultations/kb.py) whose summary title holds every word of the query, in any
    form (by the stems `indexing` keeps in `title_stems`), and none of its minus words: shown to everyone, like the
    knowledge base itself (one query)."""
    from app.consultations.kb import entries_matching
    from app.consultations.models import KnowledgeEntry

    wanted = {stem(word) for word in parsed.terms + [w for phrase in parsed.phrases for w in phrase]}
    unwanted = {stem(word) for word in parsed.excluded}
    if not wanted:
        return []
    stems = KnowledgeEntry.title_stems
    condition = sa.and_(
        *(stems.contains(f" {word} ", autoescape=True) for word in sorted(wanted)),
        *(~stems.contains(f" {word} ", autoescape=True) for word in sorted(unwanted)),
    )
    return entries_matching(condition, limit)
