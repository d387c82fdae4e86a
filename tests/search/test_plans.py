"""On PostgreSQL the planner chooses, by the column's statistics, between fetching every match through GIN and walking
the posts newest first (the primary key, or the association's or kind's index). Without statistics and after
ANALYZE it may choose differently; the same threads must be found either way, whatever the filters and permissions.
On SQLite this checks one way twice."""

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
    ("урок", {"kind": ThreadKind.QUESTION}),
    ("урок", {"tag": "впр"}),
]


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
def test_with_and_without_statistics_the_same_is_found(district, query, filters):
    writer, public = district
    outsider = make_user()
    found = {}
    for analyzed in (False, True):
        if analyzed:
            _analyze()
        for user in (writer, outsider):
            for where in ({}, {"association_id": public.id}):
                results = queries.search(user, query, queries.SearchFilters(**filters, **where), per_page=100)
                found.setdefault((user.id, str(where)), []).append(
                    (results.total, sorted(hit.thread_id for hit in results.hits))
                )
    for key, (before, after) in found.items():
        assert before == after, key
    assert any(total for (total, _ids), _after in found.values())
