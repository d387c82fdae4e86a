"""Site pages that belong to no feature: home, privacy policy, language switch for visitors."""

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user

from app.associations import queries as association_queries
from app.discussions import unread as unread_queries
from app.extensions import db
from app.i18n import LOCALE_COOKIE
from app.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template(
            "main/home.html",
            public_cards=association_queries.public_association_cards(),
            activity=unread_queries.public_activity(),
        )
    my_associations, my_requests = association_queries.home_memberships(current_user)
    return render_template(
        "main/home.html",
        my_associations=my_associations,
        invitations=association_queries.invitations_for(current_user),
        my_requests=my_requests,
        request_counts=association_queries.request_counts_for_leader(current_user),
        activity=unread_queries.activity_in_my_associations(current_user),
        unread=unread_queries.top_unread(current_user),
    )


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.post("/language")
def set_language():
    """Switch the interface language; signed-in users keep it in their profile, visitors in a cookie."""
    locale = request.form.get("locale", "")
    response = redirect(safe_next(request.form.get("next")))
    if locale not in current_app.config["LANGUAGES"]:
        return response
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
