"""On PostgreSQL the same newest matches can be found several ways: the planner chooses between fetching every match
through GIN and walking the posts newest first (by the column's statistics, which ANALYZE changes); a query of several
words walks the newest SEARCH_WINDOW posts first and asks GIN only for older ones; the title branch looks among the
newest SEARCH_TITLE_WINDOW posts first. Every way must find the same
threads, whatever the filters and permissions. On SQLite there is one way, checked against itself."""

import itertools

import pytest
import sqlalchemy as sa

from app.associations.models import Visibility
from app.discussions.models import ThreadKind
from app.extensions import db
from app.search import queries
from tests.factories import make_association, make_post, make_thread, make_user

CASES = [
    ("урок", {}),
    ("открытый урок", {}),
    ('"открытый урок"', {}),
    ("урок -математика", {}),
    ("урок понравился", {"kind": ThreadKind.QUESTION}),
    ("открытый урок", {"tag": "впр"}),
]
WINDOWS = [0, 1, 3, 7, 50_000]  # 0: no window; 1–7: the walk sees a few posts, GIN the rest; 50 000: the walk all
TITLE_WINDOWS = [0, 2, 5, 100_000]  # the title branch: the same, among opening posts (one post in two here)


@pytest.fixture
def district():
    writer = make_user()
    public = make_association(members=[writer])
    closed = make_association(visibility=Visibility.MEMBERS, members=[writer])
    for n in range(6):
        association = closed if n % 3 == 0 else public
        kind = ThreadKind.QUESTION if n % 2 else ThreadKind.DISCUSSION
        thread = make_thread(writer, association, title=f"Открытый урок {n}", body="Текст урока.", kind=kind,
                             tags="впр" if n % 2 else "")  # fmt: skip
        make_post(thread, writer, body="Урок по математике." if n % 3 == 1 else "Урок понравился.")
    return writer, public


def _analyze() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE search_documents"))  # inside the test's transaction: rolled back too


@pytest.mark.parametrize(("query", "filters"), CASES, ids=[f"{q} {f}" for q, f in CASES])
def test_every_way_finds_the_same(app, monkeypatch, district, query, filters):
    writer, public = district
    outsider = make_user()
    found = {}
    for analyzed in (False, True):
        if analyzed:
            _analyze()
        for window, title_window in itertools.product(WINDOWS, TITLE_WINDOWS):
            monkeypatch.setitem(app.config, "SEARCH_WINDOW", window)
            monkeypatch.setitem(app.config, "SEARCH_TITLE_WINDOW", title_window)
            monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 4)  # fewer than the matches: the cap is reached
            for user in (writer, outsider):
                for where in ({}, {"association_id": public.id}):
                    results = queries.search(user, query, queries.SearchFilters(**filters, **where), per_page=100)
                    found.setdefault((user.id, str(where)), set()).add(
                        (results.total, results.more, tuple(sorted(hit.thread_id for hit in results.hits)))
                    )
    assert all(len(ways) == 1 for ways in found.values()), found
    assert any(total for ways in found.values() for total, _more, _ids in ways)
