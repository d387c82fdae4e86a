"""The search page: GET /search?q=… with filters; the header's box and an association's box send here."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.extensions import limiter
from app.search.forms import SearchForm
from app.search.queries import Results, search
from app.search.text import parse_query

bp = Blueprint("search", __name__)

# A search reads more than any other page: a script must not be able to keep the database busy with it. Generous,
# since a school's teachers share one address.
SEARCH_LIMIT = "120 per minute;2000 per hour"


@bp.get("/search")
@limiter.limit(SEARCH_LIMIT)
def search_show():
    form = SearchForm(request.args, current_user)
    parsed = parse_query(form.q.data or "")
    filters = form.cleaned()
    page = request.args.get("page", 1, type=int) or 1
    if filters is None or parsed.is_empty:
        results = Results(parsed)
    else:
        results = search(current_user, parsed, filters, page=min(max(page, 1), 1000))
    return render_template("search/search_show.html", form=form, results=results, searched=not parsed.is_empty)
