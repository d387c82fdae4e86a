"""With CSRF protection on (as in production), admin actions need the token from the page."""

import re

from app.auth.models import Role, UserStatus
from tests.admin.conftest import audit_entries, fresh
from tests.factories import PASSWORD, make_user


def _token(html: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', html).group(1)


def test_action_without_token_is_refused_and_with_token_works(client, csrf):
    admin = make_user(role=Role.ADMIN)
    page = client.get("/login").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": admin.email, "password": PASSWORD, "csrf_token": login_token}
    assert client.post("/login", data=data).status_code == 302
    user = make_user(status=UserStatus.PENDING)

    assert client.post(f"/admin/users/{user.id}/approve", data={}).status_code == 400
    assert fresh(user).status == UserStatus.PENDING and audit_entries() == []

    html = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    token = _token(html, "approve-csrf_token")
    assert client.post(f"/admin/users/{user.id}/approve", data={"approve-csrf_token": token}).status_code == 302
    assert fresh(user).status == UserStatus.ACTIVE
