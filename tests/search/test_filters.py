"""Each filter narrows the results; relevance puts title matches first, «newest» the latest post."""

from datetime import UTC, date, datetime, timedelta

from app.directory.models import EducationLevel
from app.discussions.models import Post, ThreadKind
from app.extensions import db
from app.search.queries import search
from tests.factories import make_association, make_post, make_subject, make_thread, make_user
from tests.search.helpers import found_ids, writer_and_association

WORD = "рефлексия"


def test_association_filter():
    writer, first = writer_and_association()
    second = make_association(members=[writer])
    a = make_thread(writer, first, title="Рефлексия на уроке")
    b = make_thread(writer, second, title="Рефлексия после урока")
    assert found_ids(writer, WORD, association_id=first.id) == {a.id}
    assert found_ids(writer, WORD, association_id=second.id) == {b.id}


def test_kind_filter():
    writer, association = writer_and_association()
    question = make_thread(writer, association, title="Рефлексия: вопрос", kind=ThreadKind.QUESTION)
    make_thread(writer, association, title="Рефлексия: опыт", kind=ThreadKind.EXPERIENCE)
    assert found_ids(writer, WORD, kind=ThreadKind.QUESTION) == {question.id}


def test_author_filters_by_id_and_by_part_of_the_name():
    writer, association = writer_and_association()
    other = make_user(full_name="Пётр Сидоров")
    thread = make_thread(writer, association, title="Тема", body="Текст.")
    make_post(thread, other, body="Рефлексия от Петра.")
    make_thread(writer, association, title="Рефлексия без Петра")
    assert found_ids(writer, WORD, author_id=other.id) == {thread.id}
    assert found_ids(writer, WORD, author="петр сидор") == {thread.id}


def test_tag_filter():
    writer, association = writer_and_association()
    tagged = make_thread(writer, association, title="Рефлексия с меткой", tags="ФГОС, ВПР")
    make_thread(writer, association, title="Рефлексия без метки")
    assert found_ids(writer, WORD, tag="впр") == {tagged.id}


def test_level_and_subject_filters():
    subject = make_subject("Химия", "chemistry")
    writer = make_user()
    chemistry = make_association(members=[writer], subjects=[subject], levels=[EducationLevel.SECONDARY])
    other = make_association(members=[writer], levels=[EducationLevel.PRIMARY])
    a = make_thread(writer, chemistry, title="Рефлексия на химии")
    b = make_thread(writer, other, title="Рефлексия в начальной школе")
    assert found_ids(writer, WORD, subject_id=subject.id) == {a.id}
    assert found_ids(writer, WORD, level=EducationLevel.SECONDARY) == {a.id}
    assert found_ids(writer, WORD, level=EducationLevel.PRIMARY) == {b.id}


def test_date_filters():
    writer, association = writer_and_association()
    old = make_thread(writer, association, title="Рефлексия давняя")
    new = make_thread(writer, association, title="Рефлексия свежая")
    db.session.execute(
        db.update(Post).where(Post.thread_id == old.id).values(created_at=datetime(2024, 3, 1, 12, tzinfo=UTC))
    )
    from app.search.indexing import index_posts

    index_posts(db.session.connection(), [p.id for p in db.session.scalars(db.select(Post))])
    today = date.today()
    assert found_ids(writer, WORD, date_from=date(2024, 3, 1), date_to=date(2024, 3, 1)) == {old.id}
    assert found_ids(writer, WORD, date_from=today - timedelta(days=1)) == {new.id}
    assert found_ids(writer, WORD, date_to=date(2024, 2, 29)) == set()


def test_relevance_puts_title_matches_first_and_newest_sorts_by_date():
    writer, association = writer_and_association()
    in_title = make_thread(writer, association, title="Рефлексия: приёмы", body="Текст.")
    in_body = make_thread(writer, association, title="Приёмы урока", body="Немного про рефлексию.")
    assert [hit.thread_id for hit in search(writer, WORD).hits] == [in_title.id, in_body.id]
    make_post(in_title, writer, body="И ещё рефлексия.")
    make_post(in_body, writer, body="Новая рефлексия.")
    assert next(hit.thread_id for hit in search(writer, WORD, _newest()).hits) == in_body.id


def _newest():
    from app.search.queries import SearchFilters

    return SearchFilters(sort="newest")


def test_question_status_filter_and_the_status_shown():
    from app.consultations import services as consultations
    from app.consultations.models import QuestionStatus

    writer, association = writer_and_association()
    solved = make_thread(writer, association, title="Рефлексия: решённый вопрос", kind=ThreadKind.QUESTION)
    waiting = make_thread(writer, association, title="Рефлексия: вопрос ждёт", kind=ThreadKind.QUESTION)
    closed = make_thread(writer, association, title="Рефлексия: повтор", kind=ThreadKind.QUESTION)
    make_thread(writer, association, title="Рефлексия: обсуждение")
    consultations.question_of(solved).status = QuestionStatus.RESOLVED
    consultations.question_of(closed).status = QuestionStatus.CLOSED
    db.session.flush()
    assert found_ids(writer, WORD, status="solved") == {solved.id}
    assert found_ids(writer, WORD, status="unsolved") == {waiting.id}
    assert len(found_ids(writer, WORD)) == 4
    hits = {hit.thread_id: hit.status for hit in search(writer, WORD).hits}
    assert hits[solved.id] == QuestionStatus.RESOLVED and hits[waiting.id] == QuestionStatus.NEW


def test_the_search_page_filters_by_question_status(client):
    from app.consultations import services as consultations
    from app.consultations.models import QuestionStatus

    writer, association = writer_and_association()
    solved = make_thread(writer, association, title="Рефлексия: решённый вопрос", kind=ThreadKind.QUESTION)
    make_thread(writer, association, title="Рефлексия: вопрос ждёт", kind=ThreadKind.QUESTION)
    consultations.question_of(solved).status = QuestionStatus.RESOLVED
    db.session.commit()
    page = client.get(f"/search?q={WORD}&status=solved").get_data(as_text=True)
    assert "решённый вопрос" in page and "вопрос ждёт" not in page and "решён</span>" in page
    assert client.get(f"/search?q={WORD}&status=bogus").status_code == 200  # an unknown value is «all»
