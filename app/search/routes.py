"""The search page: GET /search?q=… with filters; the header's box and an association's box send here. Also the
answered questions like a title being typed (GET /search/similar, for the thread form)."""

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.db import page_number
from app.extensions import limiter
from app.search.forms import SearchForm
from app.search.queries import Hit, Results, knowledge_entries, search, similar_questions
from app.search.text import parse_query

bp = Blueprint("search", __name__)

# A search reads more than any other page: a script must not be able to keep the database busy with it. Generous,
# since a school's teachers share one address.
SEARCH_LIMIT = "120 per minute;2000 per hour"
# A thread's title is at most 200 characters; nothing longer is read.
SIMILAR_TITLE_CHARS = 200
SIMILAR_LIMIT = 5


@bp.get("/search")
@limiter.limit(SEARCH_LIMIT)
def search_show():
    form = SearchForm(request.args, current_user)
    parsed = parse_query(form.q.data or "")
    filters = form.cleaned()
    page = page_number(request.args)
    knowledge = []
    if filters is None or parsed.is_empty:
        results = Results(parsed)
    else:
        results = search(current_user, parsed, filters, page=min(max(page, 1), 1000))
        knowledge = knowledge_entries(parsed) if page == 1 and not form.has_filters else []
    return render_template("search/search_show.html", form=form, results=results, searched=not parsed.is_empty,
                           knowledge=knowledge)  # fmt: skip


@bp.app_template_global()
def similar_answered_questions(title: str | None) -> list[Hit]:
    """Answered questions the current user may read whose titles are like this one: the thread form's «Проверить
    похожие вопросы» step lists them (discussions reach search through this global, never by import)."""
    return similar_questions(current_user, (title or "")[:SIMILAR_TITLE_CHARS], limit=SIMILAR_LIMIT)


@bp.get("/search/similar")
@limiter.limit(SEARCH_LIMIT)
def similar_show():
    """JSON for the thread form's script: the heading and up to five answered questions like `title`."""
    hits = similar_answered_questions(request.args.get("title", ""))
    response = jsonify(
        heading=_("Похожие вопросы, на которые уже ответили"),
        questions=[
            {
                "title": hit.title.striptags(),
                "url": url_for("discussions.thread_show", thread_id=hit.thread_id),
                "meta": f"{hit.association_name} · " + ngettext("%(num)d ответ", "%(num)d ответов", hit.reply_count),
            }
            for hit in hits
        ],
    )
    response.headers["Cache-Control"] = "private, no-store"  # another user may read other questions
    return response
