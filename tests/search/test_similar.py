"""Similar questions for the consultation form: answered questions whose titles share the most words come first."""

from app.discussions.models import ThreadKind
from app.search.queries import similar_questions
from tests.factories import make_post, make_thread
from tests.search.helpers import writer_and_association


def _answered(writer, association, title):
    thread = make_thread(writer, association, title=title, kind=ThreadKind.QUESTION)
    make_post(thread, writer, body="Ответ методиста.")
    return thread


def test_the_question_sharing_most_words_comes_first():
    writer, association = writer_and_association()
    close = _answered(writer, association, "Как готовить пятиклассников к ВПР по математике")
    partly = _answered(writer, association, "ВПР по истории: сроки")
    _answered(writer, association, "Экскурсия в краеведческий музей")
    found = [hit.thread_id for hit in similar_questions(writer, "Подготовка пятиклассника к ВПР по математике")]
    assert found == [close.id, partly.id]


def test_words_of_the_text_count_and_nothing_in_common_finds_nothing():
    writer, association = writer_and_association()
    museum = _answered(writer, association, "Экскурсия в краеведческий музей")
    assert [hit.thread_id for hit in similar_questions(writer, "Вопрос", "Хочу сводить класс в музей")] == [museum.id]
    assert similar_questions(writer, "Синквейн", "") == []
    assert similar_questions(writer, "и в на", "") == []
