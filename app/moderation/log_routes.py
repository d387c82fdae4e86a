"""The moderation log pages: an association's (`/associations/<slug>/moderation/log`, its leaders and admins) and the
whole site's (`/moderation/log`, admins): newest first, paginated, filtered by the kind of action."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app import policy
from app.associations.models import Association
from app.associations.queries import visible_by_slug_or_404
from app.db import page_number
from app.moderation.log_forms import LogFilterForm
from app.moderation.log_queries import log_page
from app.policy import require

bp = Blueprint("moderation_log", __name__)


@bp.get("/associations/<slug>/moderation/log")
@login_required
def association_log(slug):
    association = visible_by_slug_or_404(slug, current_user)
    require(policy.can_view_moderation_log(current_user, association))
    return _render(association)


@bp.get("/moderation/log")
@login_required
def site_log():
    require(policy.can_view_site_moderation_log(current_user))
    return _render(None)


def _render(association: Association | None):
    form = LogFilterForm(request.args)
    valid = form.validate()
    page = log_page(association, form.chosen_kind, page_number(request.args), current_app.config["PER_PAGE"])
    endpoint = "moderation_log.association_log" if association else "moderation_log.site_log"
    html = render_template("moderation/log.html", association=association, form=form, page=page, endpoint=endpoint)
    return html, 200 if valid else 400
