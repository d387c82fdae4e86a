"""Numbers beyond the database's integers in URLs and in ?page= are unknown objects or the last page: never a 500.

Every GET route of the app is asked with each of its number parts far beyond 2**63, and every page with such a
?page=, as a visitor and as an admin (who may see everything)."""

import re

import pytest

from app.auth.models import Role
from tests.factories import make_association, make_user

HUGE = "99999999999999999999999"


def _get_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<int(?:\([^)]*\))?:[a-z_]+>", HUGE, rule.rule)
        path = re.sub(r"<(?:string:)?[a-z_]+>", "x", path)
        path = re.sub(r"<path:[a-z_]+>", "x", path)
        urls.append(path)
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["visitor", "admin"])
def test_no_route_fails_on_a_huge_number(app, client, login, role):
    association = make_association()
    if role == "admin":
        login(make_user(Role.ADMIN))
    failures = []
    for url in _get_urls(app):
        for asked in (url, f"{url}?page={HUGE}", url.replace("/x", f"/{association.slug}") + f"?page={HUGE}"):
            status = client.get(asked).status_code
            if status >= 500:
                failures.append((asked, status))
    assert failures == []
