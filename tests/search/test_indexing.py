"""The index follows every kind of write in the same transaction: create, reply, edit, retitle, delete and restore,
hide, move to another association, a post moved to another thread, removal; `flask search reindex` rebuilds it."""

import sqlalchemy as sa

from app.associations.models import Visibility
from app.db import utcnow
from app.discussions import editing
from app.discussions.models import Post, Thread
from app.extensions import db
from app.search.models import SearchDocument
from tests.factories import make_association, make_post, make_thread, make_user
from tests.search.helpers import found_ids, writer_and_association


def test_a_new_thread_and_a_reply_are_found_at_once():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Синквейн на уроке литературы", body="Пример синквейна.")
    reader = make_user()
    assert found_ids(reader, "синквейн") == {thread.id}
    make_post(thread, writer, body="Добавлю про лэпбук.")
    assert found_ids(reader, "лэпбуки") == {thread.id}


def test_an_edit_replaces_the_old_words():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема про оценивание", body="Первоначально про кроссворды.")
    reply = make_post(thread, writer, body="Ответ про ребусы.")
    editing.edit_post(writer, reply, body="Ответ про головоломки.")
    opening = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    editing.edit_post(writer, opening, body="Теперь про викторины.", title="Тема про лабиринты")
    reader = make_user()
    assert found_ids(reader, "ребусы") == set()
    assert found_ids(reader, "головоломки") == {thread.id}
    assert found_ids(reader, "кроссворды") == set()
    assert found_ids(reader, "викторина") == {thread.id}
    assert found_ids(reader, "оценивание") == set()
    assert found_ids(reader, "лабиринт") == {thread.id}


def test_delete_and_restore_of_a_reply():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Начало.")
    reply = make_post(thread, writer, body="Говорим о квестах.")
    reader = make_user()
    assert editing.delete_post(writer, reply)
    assert found_ids(reader, "квест") == set()
    assert editing.restore_post(writer, reply)
    assert found_ids(reader, "квест") == {thread.id}


def test_deleting_the_opening_post_removes_the_whole_thread_and_restoring_brings_it_back():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Геокешинг с классом", body="Начало.")
    make_post(thread, writer, body="Геокешинг в парке.")
    opening = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    reader = make_user()
    editing.delete_post(writer, opening)
    assert found_ids(reader, "геокешинг") == set()
    editing.restore_post(writer, opening)
    assert found_ids(reader, "геокешинг") == {thread.id}


def test_hiding_a_post_or_a_thread_through_the_orm():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Начало.")
    reply = make_post(thread, writer, body="Про скрайбинг.")
    other = make_thread(writer, association, title="Скрайбинг в начальной школе", body="Текст.")
    reader = make_user()
    reply.hidden_at = utcnow()
    other.hidden_at = utcnow()
    db.session.flush()
    assert found_ids(reader, "скрайбинг") == set()
    reply.hidden_at = None
    other.hidden_at = None
    db.session.flush()
    assert found_ids(reader, "скрайбинг") == {thread.id, other.id}


def test_hiding_by_an_update_statement():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Про дебаты.")
    reader = make_user()
    db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(hidden_at=utcnow()))
    assert found_ids(reader, "дебаты") == set()
    db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(hidden_at=None))
    assert found_ids(reader, "дебаты") == {thread.id}
    db.session.execute(sa.update(Post).where(Post.thread_id == thread.id).values(hidden_at=utcnow()))
    assert found_ids(reader, "дебаты") == set()


def test_a_thread_moved_to_another_association_is_found_there_only():
    writer, association = writer_and_association()
    closed = make_association(visibility=Visibility.MEMBERS, members=[writer])
    thread = make_thread(writer, association, title="Перенос темы про тьюторство", body="Текст.")
    outsider = make_user()
    thread.association_id = closed.id
    db.session.flush()
    assert found_ids(outsider, "тьюторство") == set()
    assert found_ids(writer, "тьюторство", association_id=closed.id) == {thread.id}
    assert found_ids(writer, "тьюторство", association_id=association.id) == set()


def test_a_post_moved_to_another_thread_is_found_under_it():
    writer, association = writer_and_association()
    first = make_thread(writer, association, title="Первая", body="Текст.")
    second = make_thread(writer, association, title="Вторая", body="Текст.")
    reply = make_post(first, writer, body="Про нейросети.")
    reply.thread_id = second.id
    reply.number = 99
    db.session.flush()
    assert found_ids(make_user(), "нейросеть") == {second.id}


def test_a_removed_post_leaves_the_index():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Начало.")
    reply = make_post(thread, writer, body="Про робототехнику.")
    db.session.delete(reply)
    db.session.flush()
    assert found_ids(make_user(), "робототехника") == set()


def test_a_counter_update_does_not_touch_the_index(count_queries):
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Начало.")
    with count_queries() as counted:
        db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(reply_count=Thread.reply_count + 1))
    assert len(counted.statements) == 1


def test_rerendered_html_is_indexed_again(app):
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Тема", body="Про фенологию.")
    db.session.execute(sa.update(Post).where(Post.thread_id == thread.id).values(body_html="<p>сломано</p>"))
    assert found_ids(make_user(), "фенология") == set()
    result = app.test_cli_runner().invoke(args=["posts", "rerender"])
    assert result.exit_code == 0, result.output
    assert found_ids(make_user(), "фенология") == {thread.id}


def _index_rows():
    return db.session.execute(
        sa.select(SearchDocument.post_id, SearchDocument.thread_id, SearchDocument.visible).order_by("post_id")
    ).all()


def test_reindex_rebuilds_the_same_index(app):
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Ментальные карты", body="Текст **с разметкой**.")
    reply = make_post(thread, writer, body="Ответ про карты.")
    editing.delete_post(writer, reply)
    db.session.commit()  # the index is written at commit
    before = _index_rows()
    db.session.execute(sa.delete(SearchDocument))
    assert found_ids(make_user(), "карта") == set()
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output
    assert _index_rows() == before
    assert found_ids(make_user(), "карта") == {thread.id}
    assert found_ids(make_user(), "разметка") == {thread.id}  # the text, not the Markdown marks


def test_the_index_is_written_at_commit_and_a_rollback_leaves_it_alone():
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Кейс-метод на истории", body="Текст.")
    db.session.commit()
    indexed = db.session.scalars(sa.select(SearchDocument.thread_id)).all()
    assert indexed == [thread.id]  # read directly, no search in between

    make_post(thread, writer, body="Ответ, который не сохранится.")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) == 1
    assert found_ids(make_user(), "кейс-метод") == {thread.id}


def test_reindex_leaves_the_planner_fresh_statistics(app):
    """After a rebuild the database knows how big the index is (ANALYZE), or PostgreSQL plans for an empty table."""
    writer, association = writer_and_association()
    for n in range(3):
        make_thread(writer, association, title=f"Статистика индекса {n}", body="Текст.")
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    if db.session.get_bind().dialect.name == "postgresql":
        rows = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'search_documents'"))
        assert rows == db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument))
    else:
        stat = db.session.scalar(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'search_documents' LIMIT 1"))
        assert stat is not None
