"""GET /healthz: what load balancers poll and the benchmark's ceiling."""

from tests.factories import make_user


def test_healthz_answers_ok_as_plain_text(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_runs_no_sql_and_sets_no_cookie(client, count_queries):
    with count_queries() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert queries.count == 0
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_a_signed_in_user_too(client, login):
    login(make_user())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_only_answers_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
