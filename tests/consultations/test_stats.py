"""`/consultations/stats` and its CSV: the numbers of a small world computed by hand (working time across a weekend
and a holiday), the period (Moscow dates), who sees which associations, permissions, bad input, the CSV read back,
formula injection, and a fixed number of queries."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.associations.models import JoinPolicy, Visibility
from app.auth.models import Role
from app.consultations import services
from app.consultations.models import QuestionEvent, QuestionStatus
from app.consultations.stats import csv_text, parse_period, preset_period
from app.db import utcnow
from app.discussions.models import ThreadKind
from app.extensions import db
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user

MSK = ZoneInfo("Europe/Moscow")
PERIOD = "from=2026-03-02&to=2026-03-08"  # Monday to Sunday; Wednesday 4 March is a holiday (below)


def msk(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """An instant of March 2026, Moscow wall time, as the aware UTC the database keeps."""
    return datetime(2026, month, day, hour, minute, tzinfo=MSK).astimezone(UTC)


@pytest.fixture(autouse=True)
def calendar(app):
    """Whole working days Monday to Friday, one holiday (Wednesday 4 March 2026), a target of 48 working hours."""
    keys = ("CONSULTATION_HOLIDAYS", "CONSULTATION_WORKING_DAYS", "CONSULTATION_WORKING_HOURS",
            "CONSULTATION_TARGET_HOURS", "TIMEZONE")  # fmt: skip
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(CONSULTATION_HOLIDAYS=("2026-03-04",), CONSULTATION_WORKING_DAYS=(), TIMEZONE="Europe/Moscow",
                      CONSULTATION_WORKING_HOURS=None, CONSULTATION_TARGET_HOURS=48)  # fmt: skip
    yield
    app.config.update(saved)


def ask(asker, association, asked_at, title=None, **fields):
    thread = make_thread(asker, association, kind=ThreadKind.QUESTION, title=title, private=fields.pop("private", 0))
    question = services.question_of(thread)
    question.asked_at = asked_at
    for name, value in fields.items():
        setattr(question, name, value)
    return question


def answer(question, methodist, at, *, first=True):
    """A methodist's reply through the service (its ANSWERED event), moved back in time to `at`."""
    post = make_post(question.thread, methodist)
    db.session.scalar(sa.select(QuestionEvent).where(QuestionEvent.post_id == post.id)).created_at = at
    if first:
        question.first_answer_at = at


@pytest.fixture
def stats(world):
    """Two associations, three methodists. Working hours to the first answer (holiday Wed 4 March, weekend 7-8):
    q1 16 (Fri 18:00 → Mon 10:00), q2 27 (Tue 09:00 → Thu 12:00), q3 91.5 (Mon 00:30 → Fri 20:00, late),
    q6 6 (Wed 15:00, the holiday → Thu 06:00); q4 unanswered and long overdue; q5 closed without an answer an hour
    after asking, before its deadline; a question hidden by a moderator.
    Outside the period: q7 (Monday 9 March 00:30 in Moscow, still Sunday in UTC),
    q8 (Sunday 1 March 23:30). A deleted question inside the period."""
    w = world
    m1, a = w["methodist"], w["association"]
    m2 = make_user(Role.METHODIST, full_name="Борисова Методист")
    m3 = make_user(Role.METHODIST, full_name="Власова Методист")
    w["question"].thread.deleted_at = msk(3, 12)  # the world's own question: deleted, not counted
    w["question"].asked_at = msk(3, 11)
    hidden = ask(w["colleague"], a, msk(4, 10))  # hidden by a moderator (spam): not counted, as in the queue
    hidden.thread.hidden_at = msk(4, 11)
    q1 = ask(w["asker"], a, msk(6, 18), status=QuestionStatus.RESOLVED, helped=True, resolved_at=msk(10, 9))
    answer(q1, m1, msk(9, 10))
    q2 = ask(w["asker"], a, msk(3, 9))
    answer(q2, m2, msk(5, 12))
    answer(q2, m1, msk(6, 10), first=False)
    q3 = ask(w["asker"], a, msk(2, 0, 30), status=QuestionStatus.RESOLVED, helped=False, resolved_at=msk(7, 9))
    answer(q3, m1, msk(6, 20))
    ask(w["asker"], a, msk(5, 10), status=QuestionStatus.NEW)
    ask(w["asker"], a, msk(7, 12), status=QuestionStatus.CLOSED, resolved_at=msk(7, 13))
    other = make_association("Другое объединение", leader=make_user(), members=[w["asker"]])
    q6 = ask(w["asker"], other, msk(4, 15), "Личный вопрос о зарплате", private=True, helped=True,
             status=QuestionStatus.RESOLVED, resolved_at=msk(5, 9))  # fmt: skip
    answer(q6, m2, msk(5, 6))
    answer(ask(w["asker"], a, msk(9, 0, 30)), m1, msk(9, 10))
    answer(ask(w["asker"], other, msk(1, 23, 30)), m3, msk(2, 10))
    db.session.commit()
    return {**w, "m2": m2, "m3": m3, "other": other}


class _Tables(HTMLParser):
    """The page's tables as rows of cell texts (whitespace squeezed), by the table's class."""

    def __init__(self):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("class", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, dict[str, list[str]]]:
    """{table class: {first cell of a row: the other cells}}."""
    parser = _Tables()
    parser.feed(page)
    return {name: {row[0]: row[1:] for row in found} for name, found in parser.tables.items()}


ASSOCIATION_HEADER = [
    "Задано",
    "Отвечено",
    "Решено",
    "Закрыто",
    "Медиана до первого ответа",
    "В срок (48 ч)",
    "Помогло",
]
METHODIST_HEADER = ["Первых ответов", "Всех ответов за период", *ASSOCIATION_HEADER[2:]]


def test_the_numbers_are_those_computed_by_hand(signed_in, stats):
    w = stats
    page = text(signed_in(w["methodist"]).get(f"/consultations/stats?{PERIOD}"))
    found = tables(page)
    by_association = found["stats-associations"]
    assert by_association["Объединение"] == ASSOCIATION_HEADER
    a = w["association"].name
    assert list(by_association) == ["Объединение", "Другое объединение", a, "Всего"]
    # asked, answered, resolved, closed, median of 16, 27, 91.5; on time q1, q2 of q1-q4; helped q1 of q1, q3
    assert by_association[a] == ["5", "3", "2", "1", "27 ч", "50 % | 2 из 4", "50 % | 1 из 2"]
    assert by_association["Другое объединение"] == ["1", "1", "1", "0", "6 ч", "100 % | 1 из 1", "100 % | 1 из 1"]
    assert by_association["Всего"] == ["6", "4", "3", "1", "21,5 ч", "60 % | 3 из 5", "66,7 % | 2 из 3"]

    by_methodist = found["stats-methodists"]
    assert by_methodist["Методист"] == METHODIST_HEADER
    assert list(by_methodist) == ["Методист", "Борисова Методист", "Власова Методист", "Методист Физики", "Всего"]
    # m1: first answers q1 (16) and q3 (91.5); answers given in the period: q3 and its second one in q2 (q1's is
    # on 9 March). m2: q2 (27) and q6 (6). m3: no question of the period, one answer in it (to q8).
    assert by_methodist["Методист Физики"] == ["2", "2", "2", "0", "53,8 ч", "50 % | 1 из 2", "50 % | 1 из 2"]
    assert by_methodist["Борисова Методист"] == ["2", "2", "1", "0", "16,5 ч", "100 % | 2 из 2", "100 % | 1 из 1"]
    assert by_methodist["Власова Методист"] == ["0", "1", "0", "0", "—", "—", "—"]
    assert by_methodist["Всего"] == ["4", "5", "3", "0", "21,5 ч", "75 % | 3 из 4", "66,7 % | 2 из 3"]
    assert "Личный вопрос о зарплате" not in page and "Как готовить к ВПР" not in page  # numbers, never titles


def test_a_question_counts_in_the_period_of_its_moscow_date(signed_in, stats):
    client = signed_in(stats["admin"])
    a = stats["association"].name

    def asked(query):
        return tables(text(client.get(f"/consultations/stats?{query}")))["stats-associations"]["Всего"][0]

    assert asked("from=2026-03-09&to=2026-03-09") == "1"  # q7: 00:30 on the 9th in Moscow, 21:30 on the 8th in UTC
    assert asked("from=2026-03-01&to=2026-03-01") == "1"  # q8: 23:30 on the 1st
    assert asked("from=2026-03-01&to=2026-03-09") == "8"
    assert asked("from=2026-03-06&to=2026-03-06") == "1"  # q1 only
    assert "В этот период вопросов не задавали." in text(
        client.get("/consultations/stats?from=2025-03-02&to=2025-03-08")
    )
    everything = tables(text(client.get("/consultations/stats?period=all")))["stats-associations"]
    assert everything["Всего"][0] == "8" and everything[a][0] == "6"
    # an empty start means since the first question; an empty end, today
    assert asked("from=&to=2026-03-08") == "7" and asked("from=2026-03-09&to=") == "1"


def test_the_share_within_target_leaves_out_questions_not_yet_due(signed_in, world):
    w = world
    w["question"].asked_at = utcnow() - timedelta(hours=1)  # waiting, not due yet
    ask(w["asker"], w["association"], utcnow() - timedelta(days=20))  # waiting 20 days: missed
    db.session.commit()
    row = tables(text(signed_in(w["leader"]).get("/consultations/stats")))["stats-associations"]["Всего"]
    assert row == ["2", "0", "0", "0", "—", "0 % | 0 из 1", "—"]


def test_a_leader_sees_only_the_associations_they_lead(signed_in, stats):
    w = stats
    page = text(signed_in(w["leader"]).get(f"/consultations/stats?{PERIOD}"))
    found = tables(page)
    assert list(found["stats-associations"]) == ["Объединение", w["association"].name, "Всего"]
    assert found["stats-associations"]["Всего"][0] == "5"
    assert "в объединениях, которыми вы руководите" in page
    methodists = found["stats-methodists"]
    assert "Власова Методист" not in methodists  # she answered only in the other association
    assert methodists["Борисова Методист"][:2] == ["1", "1"]  # q2 only: q6 is in the other association
    assert methodists["Всего"][:2] == ["3", "3"]


def test_a_methodist_does_not_see_members_only_associations_they_cannot_view(signed_in, stats):
    w = stats
    closed = make_association("Закрытая творческая группа", visibility=Visibility.MEMBERS,
                              join_policy=JoinPolicy.INVITATION, members=[w["asker"]])  # fmt: skip
    answer(ask(w["asker"], closed, msk(3, 10)), w["m2"], msk(3, 12))
    db.session.commit()
    methodist = tables(text(signed_in(w["methodist"]).get(f"/consultations/stats?{PERIOD}")))
    assert "Закрытая творческая группа" not in methodist["stats-associations"]
    assert methodist["stats-associations"]["Всего"][0] == "6"
    assert methodist["stats-methodists"]["Борисова Методист"][:2] == ["2", "2"]
    admin = tables(text(signed_in(w["admin"]).get(f"/consultations/stats?{PERIOD}")))
    assert admin["stats-associations"]["Закрытая творческая группа"][:2] == ["1", "1"]
    assert admin["stats-associations"]["Всего"][0] == "7"
    assert admin["stats-methodists"]["Борисова Методист"][:2] == ["3", "3"]


@pytest.mark.parametrize("path", ["/consultations/stats", "/consultations/stats.csv"])
def test_only_methodists_leaders_and_admins_see_the_statistics(signed_in, client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert signed_in(world["asker"]).get(path).status_code == 403
    assert signed_in(world["colleague"]).get(path).status_code == 403
    for allowed in ("methodist", "leader", "admin"):
        assert signed_in(world[allowed]).get(path).status_code == 200, allowed


def test_the_queue_links_to_the_statistics_for_those_allowed(signed_in, world):
    assert "/consultations/stats" in text(signed_in(world["methodist"]).get("/consultations/"))
    assert "/consultations/stats" in text(signed_in(world["leader"]).get("/consultations/"))
    assert "/consultations/stats" not in text(signed_in(world["asker"]).get("/consultations/"))


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("from=31.12.2026&to=2026-03-08", "Дата «31.12.2026» не распознана: укажите её в виде ГГГГ-ММ-ДД.",
         'value="31.12.2026"'),
        ("from=2026-03-09&to=2026-03-02", "Начало периода позже его конца: проверьте даты.", 'value="2026-03-09"'),
        ("from=0001-01-01&to=2026-03-08", "Укажите дату между 2000 и 2100 годом.", 'value="0001-01-01"'),
        ("from=2026-02-30", "Дата «2026-02-30» не распознана", 'value="2026-02-30"'),
        ("to=<script>x</script>", "Дата «&lt;script&gt;x&lt;/script&gt;» не распознана",
         'value="&lt;script&gt;x&lt;/script&gt;"'),
        ("period=decade", "Такого периода нет: выберите его из списка или укажите даты.", ""),
    ],
)  # fmt: skip
def test_bad_periods_are_explained_and_the_default_period_shown(signed_in, world, query, message, kept):
    for path in ("/consultations/stats", "/consultations/stats.csv"):
        response = signed_in(world["methodist"]).get(f"{path}?{query}")
        page = text(response)
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert message in page and kept in page and "Показан период по умолчанию." in page
        assert "<script>x" not in page
        assert "stats-associations" in page  # the default period's numbers: the world's question of today
        assert tables(page)["stats-associations"]["Всего"][0] == "1"


def test_presets_and_typed_dates():
    today = date(2026, 11, 26)
    assert preset_period("30d", today).start == date(2026, 10, 28)
    assert preset_period("month", today).start == date(2026, 11, 1)
    assert preset_period("year", today).start == date(2026, 9, 1)
    assert preset_period("year", date(2027, 8, 31)).start == date(2026, 9, 1)
    assert preset_period("all", today).start is None
    assert parse_period({}, today) == (preset_period("30d", today), None)
    assert parse_period({"period": "month"}, today) == (preset_period("month", today), None)
    period, error = parse_period({"from": "2026-09-01", "to": "2026-09-30", "period": "all"}, today)
    assert (period.start, period.end, period.preset, error) == (date(2026, 9, 1), date(2026, 9, 30), "", None)
    assert period.bounds(MSK) == (datetime(2026, 8, 31, 21, tzinfo=UTC), datetime(2026, 9, 30, 21, tzinfo=UTC))


def test_the_page_offers_the_presets_and_the_csv_of_its_period(signed_in, world):
    page = text(signed_in(world["methodist"]).get(f"/consultations/stats?{PERIOD}"))
    assert 'value="2026-03-02"' in page and 'value="2026-03-08"' in page
    assert "/consultations/stats.csv?from=2026-03-02&amp;to=2026-03-08" in page
    for preset in ("30d", "month", "year", "all"):
        assert f"/consultations/stats?period={preset}" in page
    default = text(signed_in(world["methodist"]).get("/consultations/stats"))
    assert '<strong aria-current="true">последние 30 дней</strong>' in default
    assert "/consultations/stats.csv?period=30d" in default


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _number(cell: str) -> float | None:
    """A page cell («27 ч», «53,8 ч», «50 % | 2 из 4») or a CSV cell («27,0») as a number."""
    head = cell.split("|")[0].replace("ч", "").replace("%", "").replace(",", ".").strip()
    return None if head in ("", "—") else float(head)


def test_the_csv_holds_the_page_s_numbers(signed_in, stats):
    client = signed_in(stats["methodist"])
    response = client.get(f"/consultations/stats.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="consultations-2026-03-02-2026-03-08.csv"'
    found = _csv_rows(response)
    blank = found.index([])
    associations, methodists = found[:blank], found[blank + 1 :]
    common = ["Решено", "Закрыто", "Медиана до первого ответа, рабочих ч", "Ответов в срок", "Учтено для срока",
              "Доля в срок, %", "Помогло", "Оценок", "Удовлетворённость, %"]  # fmt: skip
    assert associations[0] == ["Раздел", "Объединение", "Задано", "Отвечено", *common]
    assert methodists[0] == ["Раздел", "Методист", "Первых ответов", "Всех ответов за период", *common]
    a = stats["association"].name
    assert associations[1:] == [
        ["по объединениям", "Другое объединение", "1", "1", "1", "0", "6,0", "1", "1", "100,0", "1", "1", "100,0"],
        ["по объединениям", a, "5", "3", "2", "1", "27,0", "2", "4", "50,0", "1", "2", "50,0"],
        ["по объединениям", "Всего", "6", "4", "3", "1", "21,5", "3", "5", "60,0", "2", "3", "66,7"],
    ]
    assert methodists[-1] == ["по методистам", "Всего", "4", "5", "3", "0", "21,5", "3", "4", "75,0", "2", "3", "66,7"]
    assert methodists[2] == ["по методистам", "Власова Методист", "0", "1", "0", "0", "", "0", "0", "", "0", "0", ""]
    # every number of the page is in the CSV
    page = tables(text(client.get(f"/consultations/stats?{PERIOD}")))
    for table, rows_ in (("stats-associations", associations), ("stats-methodists", methodists)):
        for row in rows_[1:]:
            cells = page[table][row[1]]
            assert [_number(c) for c in cells[:4]] == [_number(c) for c in row[2:6]]
            assert _number(cells[4]) == _number(row[6])  # the median
            assert _number(cells[5]) == _number(row[9])
            assert cells[5].endswith(f"{row[7]} из {row[8]}" if row[8] != "0" else "—")
            assert _number(cells[6]) == _number(row[12])


def test_the_all_time_csv_is_named_after_the_first_question(signed_in, stats):
    response = signed_in(stats["admin"]).get("/consultations/stats.csv?period=all")
    today = utcnow().astimezone(MSK).date().isoformat()
    expected = f'attachment; filename="consultations-2026-03-01-{today}.csv"'
    assert response.headers["Content-Disposition"] == expected


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil")', "+7 класс", "-минус", "@SUM(A1)"])
def test_names_that_look_like_formulas_are_quoted_in_the_csv(signed_in, world, name):
    w = world
    evil = make_association(name, leader=w["leader"], members=[w["asker"]])
    methodist = make_user(Role.METHODIST, full_name=name)
    answer(ask(w["asker"], evil, utcnow() - timedelta(hours=2)), methodist, utcnow() - timedelta(hours=1))
    db.session.commit()
    found = _csv_rows(signed_in(w["admin"]).get("/consultations/stats.csv"))
    names = [row[1] for row in found if row]
    assert names.count("'" + name) == 2 and name not in names
    assert csv_text("Обычное имя") == "Обычное имя" and csv_text("") == ""
    assert csv_text("\tтаб") == "'\tтаб" and csv_text("\r=1") == "'\r=1"  # names are stripped, but still


def test_the_statistics_run_a_fixed_number_of_queries(signed_in, world, count_queries):
    w = world
    client = signed_in(w["methodist"])
    answer(w["question"], w["methodist"], utcnow())
    db.session.commit()
    with count_queries() as one:
        assert client.get("/consultations/stats").status_code == 200
    others = [make_user(Role.METHODIST) for _ in range(3)]
    for n in range(19):
        association = make_association(members=[w["asker"]]) if n % 5 == 0 else w["association"]
        question = ask(w["asker"], association, utcnow() - timedelta(days=n % 7), helped=n % 2 == 0)
        if n % 3:
            answer(question, others[n % 3], utcnow())
    db.session.commit()
    with count_queries() as twenty:
        assert client.get("/consultations/stats").status_code == 200
    with count_queries() as csv_twenty:
        assert client.get("/consultations/stats.csv").status_code == 200
    assert twenty.count == one.count, twenty.statements
    assert csv_twenty.count <= twenty.count, csv_twenty.statements
