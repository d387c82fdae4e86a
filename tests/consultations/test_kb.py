"""The knowledge base of consultations (`/consultations/kb`): publishing a resolved question with its accepted answer,
the summary title, withdrawal, the asker's consent for private and members-only questions (whose asker is never
named), what happens when the solution goes away, filters, bad input, refusals and fixed query counts."""

import pytest

from app.associations.models import Visibility
from app.consultations import kb, services
from app.consultations.models import KnowledgeEntry
from app.db import utcnow
from app.directory.models import EducationLevel
from app.discussions import editing
from app.discussions.models import Post, ThreadKind
from app.extensions import db
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_subject, make_thread

ANSWER = "Разберите демоверсию ВПР и критерии оценивания."


def _resolve(w, thread=None, *, by=None, body=ANSWER):
    """A methodist's (or `by`'s) answer to the question, accepted as its solution."""
    thread = thread or w["thread"]
    answer = make_post(thread, by or w["methodist"], body=body)
    services.accept_answer(thread.author, services.question_of(thread), answer)
    db.session.commit()
    return answer


def _publish(w, thread=None, *, by=None, title="Подготовка к ВПР по физике", **options):
    thread = thread or w["thread"]
    entry = kb.publish_question(by or w["methodist"], services.question_of(thread), title=title, **options)
    db.session.commit()
    return entry


def _entry(thread) -> KnowledgeEntry | None:
    db.session.expire_all()
    return db.session.get(KnowledgeEntry, thread.id)


def _kb_url(thread, action: str = "") -> str:
    return f"/consultations/kb/{thread.id}" + (f"/{action}" if action else "")


def _private_question(w, title="Закрытый вопрос о трудном ученике"):
    return make_thread(w["asker"], w["association"], kind=ThreadKind.QUESTION, title=title, private=True,
                       body="Пишет Автор Вопроса: ученик срывает уроки.")  # fmt: skip


# --- publishing and reading ---------------------------------------------------------------------------------------


def test_an_unpublished_question_is_not_in_the_knowledge_base(client, signed_in, world):
    w = world
    _resolve(w)
    assert "Как готовить к ВПР" not in text(client.get("/consultations/kb"))
    assert client.get(_kb_url(w["thread"])).status_code == 404
    open_question = make_thread(w["asker"], w["association"], kind=ThreadKind.QUESTION, title="Открытый вопрос")
    db.session.commit()
    response = signed_in(w["methodist"]).post(f"/threads/{open_question.id}/kb/publish",
                                              data={"title": "Открытый вопрос"}, follow_redirects=True)  # fmt: skip
    assert "Опубликовать можно только решённый вопрос с принятым ответом." in text(response)
    assert _entry(open_question) is None


def test_a_methodist_publishes_and_everyone_reads_it(client, signed_in, world):
    w = world
    _resolve(w)
    methodist = signed_in(w["methodist"])
    page = text(methodist.get(f"/threads/{w['thread'].id}"))
    assert f"/threads/{w['thread'].id}/kb/publish" in page and 'value="Как готовить к ВПР по физике?"' in page
    response = methodist.post(
        f"/threads/{w['thread'].id}/kb/publish", data={"title": "  ВПР по физике:   как готовить "}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/threads/{w['thread'].id}#kb")
    assert "Вопрос опубликован в базе консультаций." in text(methodist.get(response.headers["Location"]))
    entry = _entry(w["thread"])
    assert entry.title == "ВПР по физике: как готовить" and not entry.hide_asker
    assert entry.published_by_id == w["methodist"].id

    listing = text(client.get("/consultations/kb"))  # a visitor
    assert "ВПР по физике: как готовить" in listing and "Физика" in listing and "ООО" in listing
    page = text(client.get(_kb_url(w["thread"])))
    assert "ВПР по физике: как готовить" in page and "Текст первого сообщения." in page and ANSWER in page
    assert "Методист Физики" in page and "Консультация методиста" in page and "Автор Вопроса" in page
    assert "Основное общее образование" in page
    assert f'href="/threads/{w["thread"].id}"' in page  # «Обсуждение»: the association is public
    assert _kb_url(w["thread"], "withdraw") not in page and "Для методистов" not in page  # a visitor edits nothing
    panel = text(signed_in(w["colleague"]).get(f"/threads/{w['thread'].id}"))
    assert f'href="/consultations/kb/{w["thread"].id}"' in panel and "kb/publish" not in panel


def test_the_publisher_may_hide_a_public_askers_name(client, signed_in, world):
    w = world
    _resolve(w)
    signed_in(w["methodist"]).post(f"/threads/{w['thread'].id}/kb/publish",
                                   data={"title": "ВПР по физике", "hide_asker": "y"})  # fmt: skip
    assert _entry(w["thread"]).hide_asker
    assert "Автор Вопроса" not in text(client.get(_kb_url(w["thread"])))


def test_a_methodists_panel_edits_the_title_and_withdraws(client, signed_in, world):
    w = world
    _resolve(w)
    _publish(w)
    methodist = signed_in(w["methodist"])
    panel = text(methodist.get(f"/threads/{w['thread'].id}"))
    assert "Вопрос опубликован в базе консультаций:" in panel and "kb/publish" not in panel
    assert _kb_url(w["thread"], "edit") in panel and _kb_url(w["thread"], "withdraw") in panel
    response = methodist.post(_kb_url(w["thread"], "edit"), data={"title": "Новый заголовок записи", "back": "thread"})
    assert response.headers["Location"].endswith(f"/threads/{w['thread'].id}#kb")
    assert _entry(w["thread"]).title == "Новый заголовок записи"
    response = methodist.post(_kb_url(w["thread"], "edit"), data={"title": "Ещё один заголовок"}, follow_redirects=True)
    assert "Заголовок записи изменён." in text(response) and "<h1>Ещё один заголовок</h1>" in text(response)
    response = methodist.post(_kb_url(w["thread"], "withdraw"), follow_redirects=True)
    assert "Запись снята с базы консультаций." in text(response) and "Ещё один заголовок" not in text(response)
    assert _entry(w["thread"]) is None
    assert client.get(_kb_url(w["thread"])).status_code == 404
    assert "Ещё один заголовок" not in text(client.get("/consultations/kb"))


# --- private and members-only questions ---------------------------------------------------------------------------


def test_a_private_question_needs_its_askers_consent_even_for_an_admin(client, signed_in, world):
    w = world
    thread = _private_question(w)
    _resolve(w, thread)
    admin = signed_in(w["admin"])
    assert "Опубликовать вопрос можно будет, когда автор даст согласие." in text(admin.get(f"/threads/{thread.id}"))
    response = admin.post(f"/threads/{thread.id}/kb/publish", data={"title": "Трудный ученик"}, follow_redirects=True)
    assert "опубликовать его можно только с согласия автора" in text(response)
    assert _entry(thread) is None
    with pytest.raises(services.ConsultationError):
        kb.publish_question(w["admin"], services.question_of(thread), title="Трудный ученик")

    asker = signed_in(w["asker"])
    assert "Согласен на публикацию без имени" in text(asker.get(f"/threads/{thread.id}"))
    assert signed_in(w["methodist"]).post(f"/threads/{thread.id}/kb/consent").status_code == 403  # not the asker
    response = asker.post(f"/threads/{thread.id}/kb/consent", follow_redirects=True)
    assert "без вашего имени" in text(response) and "Отозвать согласие" in text(response)
    admin.post(f"/threads/{thread.id}/kb/publish", data={"title": "Трудный ученик на уроке"})  # no hide_asker
    assert _entry(thread).hide_asker  # forced

    for page in (text(client.get("/consultations/kb")), text(client.get(_kb_url(thread)))):
        assert "Трудный ученик на уроке" in page and "Автор Вопроса" not in page
    page = text(client.get(_kb_url(thread)))
    assert "ученик срывает уроки" in page and "автор вопроса" in page  # the name inside the text is taken out
    assert f'href="/threads/{thread.id}"' not in page  # visitors may not see the discussion
    assert f'href="/threads/{thread.id}"' in text(asker.get(_kb_url(thread)))


def test_the_askers_own_accepted_reply_does_not_name_them(client, world):
    w = world
    thread = _private_question(w)
    _resolve(w, thread, by=w["asker"], body="Сам разобрался: помог классный руководитель.")
    services.question_of(thread).publish_consent_at = utcnow()
    _publish(w, thread, title="Ученик срывает уроки")
    page = text(client.get(_kb_url(thread)))
    assert "Сам разобрался" in page and "Автор Вопроса" not in page and "автор вопроса" in page


def test_withdrawing_consent_withdraws_a_published_private_question(client, signed_in, world):
    w = world
    thread = _private_question(w)
    _resolve(w, thread)
    asker = signed_in(w["asker"])
    asker.post(f"/threads/{thread.id}/kb/consent")
    _publish(w, thread, title="Трудный ученик на уроке")
    assert client.get(_kb_url(thread)).status_code == 200
    response = asker.post(f"/threads/{thread.id}/kb/consent/withdraw", follow_redirects=True)
    assert "Согласие отозвано, вопрос снят с базы консультаций." in text(response)
    assert _entry(thread) is None and services.question_of(thread).publish_consent_at is None
    assert client.get(_kb_url(thread)).status_code == 404
    assert "Трудный ученик" not in text(client.get("/consultations/kb"))
    response = asker.post(f"/threads/{thread.id}/kb/consent/withdraw", follow_redirects=True)
    assert "Согласие на публикацию отозвано." in text(response)


def test_a_members_only_associations_question_needs_consent_and_hides_names(client, signed_in, world):
    w = world
    closed = make_association(visibility=Visibility.MEMBERS, join_policy="invitation", leader=w["leader"],
                              members=[w["asker"], w["colleague"]])  # fmt: skip
    thread = make_thread(w["asker"], closed, kind=ThreadKind.QUESTION, title="Вопрос для своих")
    _resolve(w, thread, by=w["colleague"], body="Коллега советует начать с повторения.")
    admin = signed_in(w["admin"])
    admin.post(f"/threads/{thread.id}/kb/publish", data={"title": "Вопрос для своих"})
    assert _entry(thread) is None
    # a methodist who is not a member cannot see the thread at all
    assert (
        signed_in(w["methodist"]).post(f"/threads/{thread.id}/kb/publish", data={"title": "Вопрос"}).status_code == 404
    )
    signed_in(w["asker"]).post(f"/threads/{thread.id}/kb/consent")
    admin.post(f"/threads/{thread.id}/kb/publish", data={"title": "Повторение перед контрольной"})
    assert _entry(thread).hide_asker
    page = text(client.get(_kb_url(thread)))
    assert "Коллега советует начать с повторения." in page and "участник объединения" in page
    assert "Автор Вопроса" not in page and w["colleague"].full_name not in page
    assert f'href="/threads/{thread.id}"' not in page
    closed.visibility = Visibility.PUBLIC  # made public later: the entry still hides the asker
    db.session.commit()
    assert "Автор Вопроса" not in text(client.get(_kb_url(thread)))


def test_an_entry_without_the_consent_it_now_needs_is_not_shown(client, world):
    w = world
    _resolve(w)
    _publish(w)
    w["thread"].is_private = True  # turned private after publication: no consent was given
    db.session.commit()
    assert client.get(_kb_url(w["thread"])).status_code == 404
    assert "Подготовка к ВПР" not in text(client.get("/consultations/kb"))


# --- when the solution goes away: the entry is not shown (404) until published again -------------------------------


def test_an_entry_whose_solution_was_taken_back_is_404_until_published_again(client, signed_in, world):
    w = world
    _resolve(w)
    _publish(w)
    services.unaccept_answer(w["methodist"], w["question"])
    db.session.commit()
    assert client.get(_kb_url(w["thread"])).status_code == 404
    assert "Подготовка к ВПР" not in text(client.get("/consultations/kb"))
    assert "сейчас не показывается" in text(signed_in(w["methodist"]).get(f"/threads/{w['thread'].id}"))

    _resolve(w, body="Другой ответ, отмеченный позже.")  # another solution: not what was published
    assert client.get(_kb_url(w["thread"])).status_code == 404
    response = signed_in(w["methodist"]).post(f"/threads/{w['thread'].id}/kb/publish", data={"title": "ВПР снова"})
    assert response.status_code == 302
    page = text(client.get(_kb_url(w["thread"])))
    assert "Другой ответ, отмеченный позже." in page and ANSWER not in page
    assert db.session.scalar(db.select(db.func.count()).select_from(KnowledgeEntry)) == 1


@pytest.mark.parametrize("how", ["hidden", "deleted", "thread deleted"])
def test_an_entry_whose_answer_or_thread_is_gone_is_404(client, world, how):
    w = world
    answer = _resolve(w)
    _publish(w)
    if how == "hidden":
        answer.hidden_at = utcnow()
    elif how == "deleted":
        editing.delete_post(w["leader"], answer)
    else:
        opening = db.session.scalar(db.select(Post).where(Post.thread_id == w["thread"].id, Post.number == 1))
        editing.delete_post(w["leader"], opening)
    db.session.commit()
    assert client.get(_kb_url(w["thread"])).status_code == 404
    assert "Подготовка к ВПР" not in text(client.get("/consultations/kb"))
    with pytest.raises(services.ConsultationError, match="скрыт"):
        kb.publish_question(w["admin"], w["question"], title="Опубликовать снова")


# --- browsing -----------------------------------------------------------------------------------------------------


def _published(w, title, *, subject=None, level=EducationLevel.BASIC, grade=""):
    thread = make_thread(w["asker"], w["association"], kind=ThreadKind.QUESTION, title=title)
    question = services.question_of(thread)
    question.subject_id, question.level, question.grade = (subject or w["physics"]).id, level, grade
    _resolve(w, thread)
    return _publish(w, thread, title=title)


def test_browsing_newest_first_by_subject_level_and_title_words(client, world):
    w = world
    chemistry = make_subject("Химия")
    _published(w, "Ёмкость конденсатора в 8 классе", grade="8 класс")
    _published(w, "Опыты с кислотами", subject=chemistry, level=EducationLevel.SECONDARY)
    _published(w, "Задачи на движение")
    page = text(client.get("/consultations/kb"))
    titles = ["Задачи на движение", "Опыты с кислотами", "Ёмкость конденсатора в 8 классе"]
    assert sorted(titles, key=page.index) == titles and "8 класс" in page and "Найдено: 3" in page
    by_subject = text(client.get(f"/consultations/kb?subject={chemistry.id}"))
    assert "Опыты с кислотами" in by_subject and "Задачи на движение" not in by_subject
    by_level = text(client.get("/consultations/kb?level=basic"))
    assert "Опыты с кислотами" not in by_level and "Задачи на движение" in by_level
    for words in ("емкость", "ЁМКОСТЬ", "Конденсатора в 8"):
        found = text(client.get("/consultations/kb", query_string={"q": words}))
        assert "Ёмкость конденсатора" in found and "Задачи на движение" not in found, words
    assert "Ничего не найдено." in text(client.get("/consultations/kb?q=100%25_"))


def test_the_list_is_paginated(client, world):
    w = world
    for n in range(kb.PER_PAGE + 1):
        _published(w, f"Консультация номер {n:02d}")
    first, second = text(client.get("/consultations/kb")), text(client.get("/consultations/kb?page=2"))
    assert "Консультация номер 20" in first and "Консультация номер 00" not in first
    assert "Консультация номер 00" in second and 'rel="prev"' in second


def test_bad_filters_are_dropped_never_an_error(client, world):
    bad = ("subject=abc", "subject=999999", "subject=99999999999999999999", "level=university", "page=-3", "page=abc",
           "page=99999", "page=99999999999999999999", "q=" + "я" * 500, "q=%00<script>")  # fmt: skip
    for query in bad:
        response = client.get(f"/consultations/kb?{query}")
        assert response.status_code == 200, query
    assert client.get("/consultations/kb/999999").status_code == 404
    assert client.get("/consultations/kb/abc").status_code == 404
    assert client.get("/consultations/kb/99999999999999999999").status_code == 404


# --- bad input and refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Укажите краткий заголовок."), ("   \n ", "Укажите краткий заголовок."),
     ("ВПР?", "Краткий заголовок — от 5 до 200 символов."), ("я" * 201, "Краткий заголовок — от 5 до 200 символов.")],
)  # fmt: skip
def test_a_bad_title_is_refused_with_a_message(signed_in, world, title, message):
    w = world
    _resolve(w)
    methodist = signed_in(w["methodist"])
    response = methodist.post(f"/threads/{w['thread'].id}/kb/publish", data={"title": title}, follow_redirects=True)
    assert response.status_code == 200 and message in text(response)
    assert _entry(w["thread"]) is None
    _publish(w)
    response = methodist.post(_kb_url(w["thread"], "edit"), data={"title": title}, follow_redirects=True)
    assert response.status_code == 200 and message in text(response)
    assert _entry(w["thread"]).title == "Подготовка к ВПР по физике"


def test_unknown_ids_are_404(signed_in, world):
    w = world
    methodist = signed_in(w["methodist"])
    discussion = make_thread(w["asker"], w["association"])
    db.session.commit()
    for url in ("/threads/99999999999999999999/kb/publish", "/consultations/kb/99999999999999999999/edit",
                "/threads/999999/kb/publish", f"/threads/{discussion.id}/kb/publish", "/threads/999999/kb/consent",
                f"/threads/{discussion.id}/kb/consent/withdraw", "/consultations/kb/999999/edit",
                "/consultations/kb/999999/withdraw", f"{_kb_url(w['thread'])}/withdraw"):  # fmt: skip
        assert methodist.post(url, data={"title": "Заголовок записи"}).status_code == 404, url


def test_only_methodists_and_admins_publish_edit_and_withdraw(client, signed_in, world):
    w = world
    _resolve(w)
    for user in (w["colleague"], w["asker"], w["leader"]):
        refused = signed_in(user).post(f"/threads/{w['thread'].id}/kb/publish", data={"title": "Заголовок записи"})
        assert refused.status_code == 403
    assert _entry(w["thread"]) is None
    _publish(w)
    leader = signed_in(w["leader"])
    assert leader.post(_kb_url(w["thread"], "edit"), data={"title": "Чужой заголовок"}).status_code == 403
    assert leader.post(_kb_url(w["thread"], "withdraw")).status_code == 403
    assert _kb_url(w["thread"], "withdraw") not in text(leader.get(f"/threads/{w['thread'].id}"))
    assert _entry(w["thread"]).title == "Подготовка к ВПР по физике"
    with pytest.raises(kb.PermissionDenied):
        kb.withdraw_entry(w["colleague"], _entry(w["thread"]))
    for url in (f"/threads/{w['thread'].id}/kb/publish", _kb_url(w["thread"], "withdraw"),
                f"/threads/{w['thread'].id}/kb/consent"):  # fmt: skip
        response = client.post(url)  # a visitor
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_outsiders_of_a_private_question_get_404(signed_in, world):
    w = world
    thread = _private_question(w)
    _resolve(w, thread)
    colleague = signed_in(w["colleague"])
    assert colleague.post(f"/threads/{thread.id}/kb/consent").status_code == 404
    assert colleague.post(f"/threads/{thread.id}/kb/publish", data={"title": "Заголовок записи"}).status_code == 404


def test_every_action_needs_the_csrf_token(app, signed_in, world):
    w = world
    _resolve(w)
    _publish(w)
    methodist, asker = signed_in(w["methodist"]), signed_in(w["asker"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = [
            methodist.post(_kb_url(w["thread"], "withdraw")),
            methodist.post(_kb_url(w["thread"], "edit"), data={"title": "Другой заголовок"}),
            methodist.post(f"/threads/{w['thread'].id}/kb/publish", data={"title": "Другой заголовок"}),
            asker.post(f"/threads/{w['thread'].id}/kb/consent"),
            asker.post(f"/threads/{w['thread'].id}/kb/consent/withdraw"),
        ]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [response.status_code for response in refused] == [400] * 5
    assert _entry(w["thread"]).title == "Подготовка к ВПР по физике"
    assert services.question_of(w["thread"]).publish_consent_at is None


# --- a fixed number of queries ------------------------------------------------------------------------------------


def test_list_and_entry_run_a_fixed_number_of_queries(client, signed_in, world, count_queries):
    w = world
    first = _published(w, "Первая консультация")
    methodist = signed_in(w["methodist"])
    counts = {}
    for label, reader in (("visitor", client), ("methodist", methodist)):
        for url in ("/consultations/kb", f"/consultations/kb?subject={w['physics'].id}&level=basic&q=консультация",
                    f"/consultations/kb/{first.thread_id}"):  # fmt: skip
            with count_queries() as one:
                assert reader.get(url).status_code == 200
            counts[label, url] = one.count
    for n in range(19):
        _published(w, f"Ещё консультация {n}")
    for (label, url), expected in counts.items():
        reader = client if label == "visitor" else methodist
        with count_queries() as twenty:
            page = text(reader.get(url))
        assert twenty.count == expected, (label, url, twenty.statements)
        assert "Ещё консультация" in page or url.endswith(str(first.thread_id))


def test_the_threads_panel_costs_the_same_with_or_without_an_entry(signed_in, world, count_queries):
    w = world
    methodist, url = signed_in(w["methodist"]), f"/threads/{w['thread'].id}"
    assert 'id="kb"' not in text(methodist.get(url))  # an open question: nothing to publish yet
    _resolve(w)
    methodist.get(url)
    with count_queries() as unpublished:
        assert "kb/publish" in text(methodist.get(url))
    _publish(w)
    withdraw = _kb_url(w["thread"], "withdraw")
    methodist.get(url)
    with count_queries() as published:
        assert withdraw in text(methodist.get(url))
    assert published.count == unpublished.count, "\n".join(s[:300] for s in published.statements)


# --- in search ----------------------------------------------------------------------------------------------------


def test_search_finds_published_consultations_by_any_form_of_their_words(client, signed_in, world):
    """A private question published with consent is found in the knowledge base by everyone, while the question
    itself stays out of their results; unpublished ones are not found there."""
    w = world
    thread = _private_question(w, title="Ученик срывает уроки")
    _resolve(w, thread)
    services.question_of(thread).publish_consent_at = utcnow()
    _publish(w, thread, title="Трудный ученик: как вернуть дисциплину на уроках")
    page = text(client.get("/search?q=дисциплины урок"))  # other forms of the title's words
    assert "В базе консультаций" in page and "как вернуть дисциплину" in page
    assert f'href="/consultations/kb/{thread.id}"' in page and f'href="/threads/{thread.id}"' not in page
    assert "В базе консультаций" not in text(client.get("/search?q=дисциплины -урок"))  # a minus word
    assert "В базе консультаций" not in text(client.get("/search?q=физика"))
    kb.withdraw_entry(w["methodist"], _entry(thread))
    db.session.commit()
    assert "В базе консультаций" not in text(client.get("/search?q=дисциплины урок"))


def test_search_follows_an_edited_title_and_either_spelling_of_a_grade(client, signed_in, world):
    """The title's stems are kept with the title (search matches them in SQL): after an edit the new words find the
    entry and the old ones no longer do; «5 класс» and «пятый класс» find each other."""
    w = world
    _resolve(w)
    _publish(w, title="Подготовка к ВПР в 5 классе")
    assert "В базе консультаций" in text(client.get("/search?q=пятый класс"))
    methodist = signed_in(w["methodist"])
    methodist.post(_kb_url(w["thread"], "edit"), data={"title": "Рефлексия на уроках математики"})
    assert _entry(w["thread"]).title_stems == " рефлекс урок математик "
    assert "В базе консультаций" in text(client.get("/search?q=рефлексии"))
    assert "В базе консультаций" not in text(client.get("/search?q=ВПР"))
