"""The query parser and the highlighter: what the user types becomes words, phrases and minus words, never syntax;
highlights are <mark> around matched words in escaped text."""

import pytest

from app.search.text import MAX_QUERY, highlight, index_stems, index_text, parse_query, plain_text, snippet, stem


@pytest.mark.parametrize(
    ("raw", "terms", "phrases", "excluded"),
    [
        ("учителя математики", ["учителя", "математики"], [], []),
        ('"открытый урок" 5 класс', ["5", "класс"], [["открытый", "урок"]], []),
        ("подготовка -ЕГЭ", ["подготовка"], [], ["егэ"]),
        ('-"ОГЭ ЕГЭ" подготовка', ["подготовка"], [], ["огэ", "егэ"]),
        ('"незакрытая фраза про урок', [], [["незакрытая", "фраза", "урок"]], []),
        ("учитель-логопед", ["учитель", "логопед"], [], []),
        ("ВПР AND ОГЭ OR NOT NEAR", ["впр", "and", "огэ", "or", "not", "near"], [], []),
        ("title:урок* ^класс", ["title", "урок", "класс"], [], []),
        ("Ёлка", ["елка"], [], []),
        ("и в на", [], [], []),
        ('""', [], [], []),
        ("- -", [], [], []),
    ],
)
def test_parse_query(raw, terms, phrases, excluded):
    parsed = parse_query(raw)
    assert (parsed.terms, parsed.phrases, parsed.excluded) == (terms, phrases, excluded)


def test_stop_words_alone_are_told_apart_from_nothing():
    assert parse_query("и в на").only_stop_words
    assert not parse_query("").only_stop_words
    assert not parse_query("-ЕГЭ").only_stop_words and parse_query("-ЕГЭ").is_empty


def test_long_queries_are_cut_and_say_so():
    parsed = parse_query("урок " * 1000)
    assert parsed.truncated and parsed.terms == ["урок"]
    many = parse_query(" ".join(f"слово{n}" for n in range(40)))
    assert many.truncated and len(many.terms) <= 12
    assert not parse_query("урок").truncated
    assert len("урок " * 1000) > MAX_QUERY


def test_engine_queries_hold_only_quoted_words():
    parsed = parse_query('учитель* "открытый урок" -ЕГЭ NEAR(a b) {title}:x')
    assert parsed.fts5() == '"учител" AND "near" AND "a" AND "b" AND "title" AND "x" AND "открыт урок" NOT "егэ"'
    assert parsed.fts5("title").startswith('({title} : ("учител" AND')
    assert parsed.websearch() == '"учитель" "near" "a" "b" "title" "x" "открытый урок" -"егэ"'


def test_the_index_spells_grades_both_ways_and_folds():
    assert index_text("Пятый класс") == "пятый класс\n5"
    assert index_text("5 класс") == "5 класс\nпятый"
    assert index_stems("Ёлочные игрушки в 3 классе") == "елочн игрушк 3 класс трет"


def test_plain_text_drops_tags_and_decodes_entities():
    assert plain_text("<p>Текст <strong>жирный</strong> &amp; &lt;code&gt;</p><ul><li>пункт</li></ul>") == (
        "Текст жирный & <code>\\nпункт".replace("\\n", "\n")
    )


def test_highlight_marks_every_form_and_escapes_the_rest():
    stems = {stem("консультация"), stem("учеба")}
    html = str(highlight('<b>Консультации</b> и учёба & "консультаций"', stems))
    assert html == ("&lt;b&gt;<mark>Консультации</mark>&lt;/b&gt; и <mark>учёба</mark> &amp; "
                    "&#34;<mark>консультаций</mark>&#34;")  # fmt: skip


def test_snippet_is_a_window_around_the_first_match():
    text = " ".join(f"слово{n}" for n in range(100)) + " консультация " + " ".join(f"хвост{n}" for n in range(100))
    html = str(snippet(text, {stem("консультация")}, size=20))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>консультация</mark>" in html
    assert len(html.split()) <= 24
    assert str(snippet("Короткий текст", {stem("урок")})) == "Короткий текст"
