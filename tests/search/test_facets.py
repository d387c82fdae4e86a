"""Filters as facet words (SQLite FTS5) and named threads (PostgreSQL's tag filter) keep the results of the SQL
conditions: after writes that change what a filter sees, at month edges in Moscow time, and past their limits."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.directory.models import EducationLevel
from app.discussions.models import Post, ThreadKind
from app.discussions.services import get_or_create_tags
from app.extensions import db
from app.search import queries
from app.search.indexing import index_posts
from tests.factories import make_association, make_thread
from tests.search.helpers import found_ids, writer_and_association

WORD = "тьюторство"


def _dated(thread, when: datetime) -> None:
    db.session.execute(sa.update(Post).where(Post.thread_id == thread.id).values(created_at=when))
    post_ids = db.session.scalars(sa.select(Post.id).where(Post.thread_id == thread.id))
    index_posts(db.session.connection(), list(post_ids))


def test_retagging_a_thread_moves_it_between_tag_filters():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тьюторство в школе", tags="ВПР")
    assert found_ids(writer, WORD, tag="впр") == {thread.id}
    thread.tags = get_or_create_tags(["фгос"])
    db.session.commit()
    assert found_ids(writer, WORD, tag="фгос") == {thread.id}
    assert found_ids(writer, WORD, tag="впр") == set()


def test_a_tag_nobody_used_and_a_level_no_association_has_find_nothing():
    writer, association = writer_and_association(levels=[EducationLevel.PRIMARY])
    make_thread(writer, association, title="Тьюторство", tags="ВПР")
    assert found_ids(writer, WORD, tag="нет-такой") == set()
    assert found_ids(writer, WORD, level=EducationLevel.SECONDARY) == set()
    assert found_ids(writer, WORD, status="solved", kind=ThreadKind.DISCUSSION) == set()


def test_the_date_filter_follows_moscow_days_across_a_month_edge():
    writer, association = writer_and_association()
    edge = make_thread(writer, association, title="Тьюторство на границе месяцев")
    before = make_thread(writer, association, title="Тьюторство в мае")
    _dated(edge, datetime(2026, 5, 31, 22, 30, tzinfo=UTC))  # 1 June, 01:30 in Moscow: a May post in UTC
    _dated(before, datetime(2026, 5, 31, 20, 30, tzinfo=UTC))  # 31 May, 23:30 in Moscow
    assert found_ids(writer, WORD, date_from=date(2026, 6, 1), date_to=date(2026, 6, 30)) == {edge.id}
    assert found_ids(writer, WORD, date_from=date(2026, 5, 1), date_to=date(2026, 5, 31)) == {before.id}
    assert found_ids(writer, WORD, date_from=date(2026, 6, 1)) == {edge.id}


def test_a_date_range_longer_than_the_facet_months_still_filters():
    writer, association = writer_and_association()
    old = make_thread(writer, association, title="Тьюторство давно")
    make_thread(writer, association, title="Тьюторство сегодня")
    _dated(old, datetime(2019, 1, 15, tzinfo=UTC))
    span = (date(2015, 1, 1), date(2020, 12, 31))
    assert queries._months(queries._day_start(span[0]), queries._day_start(span[1])) is None
    assert found_ids(writer, WORD, date_from=span[0], date_to=span[1]) == {old.id}


def test_a_query_cannot_reach_the_facet_words():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Вопрос", kind=ThreadKind.QUESTION)
    for query in ("_kquestion", "kquestion", f"_a{association.id}", f"a{association.id}", "_m202611", "_t1"):
        assert found_ids(writer, query) == set(), query
    assert found_ids(writer, "вопрос", kind=ThreadKind.QUESTION) == {thread.id}


def test_a_tag_on_more_threads_than_are_named_is_a_subquery(monkeypatch):
    writer, association = writer_and_association()
    tagged = {make_thread(writer, association, title=f"Тьюторство {n}", tags="ВПР").id for n in range(3)}
    make_thread(writer, association, title="Тьюторство без метки")
    monkeypatch.setattr(queries, "TAGGED_THREADS", 2)
    assert found_ids(writer, WORD, tag="впр") == tagged
    monkeypatch.setattr(queries, "TAGGED_THREADS", 3)
    assert found_ids(writer, WORD, tag="впр") == tagged


def test_moving_a_thread_changes_its_association_facet():
    writer, first = writer_and_association()
    second = make_association(members=[writer])
    thread = make_thread(writer, first, title="Тьюторство в переезде")
    thread.association_id = second.id
    db.session.commit()
    assert found_ids(writer, WORD, association_id=second.id) == {thread.id}
    assert found_ids(writer, WORD, association_id=first.id) == set()
