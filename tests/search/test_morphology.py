"""Russian morphology: inflected forms, ё = е, grades written as digits or words; and words that must not match.

The same table runs on whichever database the suite runs on (SQLite FTS5 with PyStemmer, PostgreSQL `russian`)."""

import pytest

from app.auth.models import Role
from tests.factories import make_user
from tests.search.helpers import found_ids, thread_with

MATCHES = [
    ("консультации", "Консультация методиста"),
    ("консультаций", "Нужна консультация"),
    ("консультация", "Запишитесь на консультации"),
    ("учитель", "Совещание учителей"),
    ("учителей", "Опыт учителя"),
    ("учёба", "Учеба в лагере"),
    ("учеба", "Учёба в лагере"),
    ("ёлка", "Новогодняя елка"),
    ("класс", "Подготовка в пятом классе"),
    ("классы", "Работа с классом"),
    ("урок", "Открытые уроки недели"),
    ("уроками", "Структура урока"),
    ("задача", "Сборник задач"),
    ("задачи", "Решение задачами"),
    ("олимпиада", "Школьный этап олимпиады"),
    ("олимпиадах", "Олимпиаде посвящается"),
    ("подготовка", "Подготовки к экзамену"),
    ("подготовкой", "Подготовка к экзамену"),
    ("дроби", "Сложение дробей"),
    ("дробям", "Задания по дробям и дробь"),
    ("ученик", "Для учеников"),
    ("ученики", "Слабый ученик"),
    ("программа", "Рабочей программы"),
    ("программой", "Рабочие программы"),
    ("методист", "Ответ методистов"),
    ("ВПР", "Готовимся к впр"),
    ("5 класс", "Подготовка в пятом классе"),
    ("пятый класс", "Задания для 5 класса"),
    ("Консультации по ВПР 5 класс", "Консультация: подготовка к ВПР в пятом классе"),
]

NO_MATCHES = [
    ("класс", "Классика русской литературы"),
    ("урок", "Уровень подготовки"),
    ("математика", "Материалы к уроку"),
    ("учитель", "Учительская новость"),  # a different word with a common root: not the same stem
    ("ВПР", "Подготовка к ОГЭ"),
    ("5 класс", "Подготовка в шестом классе"),
    ("подготовка -ЕГЭ", "Подготовка к ЕГЭ"),
]


@pytest.mark.parametrize(("query", "text"), MATCHES, ids=[q for q, _t in MATCHES])
def test_inflected_forms_match(query, text):
    thread = thread_with(text)
    assert thread.id in found_ids(make_user(), query)


@pytest.mark.parametrize(("query", "text"), NO_MATCHES, ids=[q for q, _t in NO_MATCHES])
def test_other_words_do_not_match(query, text):
    thread = thread_with(text)
    assert thread.id not in found_ids(make_user(), query)


def test_title_matches_as_well_as_body():
    thread = thread_with("Текст без этого слова.", title="Консультация: подготовка к ВПР в пятом классе")
    assert thread.id in found_ids(make_user(role=Role.TEACHER), "консультации по ВПР 5 класс")


def test_phrase_needs_the_words_in_order():
    together = thread_with("Проводим открытый урок по истории.")
    apart = thread_with("Урок был открытый? Нет, открытым был только класс.")
    reversed_ = thread_with("Урок открытый для всех.")
    found = found_ids(make_user(), '"открытые уроки"')
    assert together.id in found
    assert apart.id not in found and reversed_.id not in found


def test_minus_word_excludes():
    oge = thread_with("Подготовка к ОГЭ по математике.")
    ege = thread_with("Подготовка к ЕГЭ по математике.")
    found = found_ids(make_user(), "подготовка -ЕГЭ")
    assert oge.id in found and ege.id not in found
