"""Full-text search with Russian morphology over threads and posts (PostgreSQL full-text search or SQLite FTS5).

The interface is `app.search.queries.search()` and `similar_questions()`; the index follows every write through
session events (`app.search.indexing`), so no other feature imports search.
"""


def init_app(app) -> None:
    from app.search import indexing
    from app.search.cli import search_cli

    indexing.listen()
    app.cli.add_command(search_cli)
