"""Helpers for the search tests: a public association with a member who writes, and the titles a search finds."""

from app.search.queries import SearchFilters, search
from tests.factories import make_association, make_thread, make_user


def writer_and_association(**kwargs):
    writer = make_user()
    association = make_association(members=[writer], **kwargs)
    return writer, association


def found_titles(user, query: str, **filters) -> list[str]:
    results = search(user, query, SearchFilters(**filters), per_page=100)
    return [str(hit.title).replace("<mark>", "").replace("</mark>", "") for hit in results.hits]


def found_ids(user, query: str, **filters) -> set[int]:
    return {hit.thread_id for hit in search(user, query, SearchFilters(**filters), per_page=100).hits}


def thread_with(text: str, *, title: str = "Тема без ключевых слов", writer=None, association=None, **kwargs):
    if writer is None:
        writer, association = writer_and_association()
    return make_thread(writer, association, title=title, body=text, **kwargs)
