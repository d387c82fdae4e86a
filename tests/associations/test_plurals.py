"""Russian plural forms of the member count (needs the Russian catalog's three forms)."""

import pytest
from flask_babel import ngettext

from tests.associations.conftest import text
from tests.factories import make_association, make_membership, make_user


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 участник"), (2, "2 участника"), (5, "5 участников"), (11, "11 участников"), (21, "21 участник"),
     (22, "22 участника")],
)  # fmt: skip
def test_member_count_plural(app, n, expected):
    with app.test_request_context("/"):
        assert ngettext("%(num)d участник", "%(num)d участников", n) == expected


def test_member_count_plural_on_the_page(client):
    a = make_association("РМО учителей ОБЗР")
    for _ in range(2):
        make_membership(make_user(), a)
    assert "2 участника" in text(client.get("/associations/"))
