from tests.factories import make_association, make_user


def test_home_page_is_russian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Виртуальный методический кабинет" in html


def test_login_and_home_lists_my_associations(client, login):
    user = make_user()
    association = make_association("РМО учителей математики", members=[user])
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert association.name in html
