"""Reports of posts and the moderation queue (issue 6): a member's report form (`/posts/<id>/report`), the
association's queue (`/associations/<slug>/moderation`, its leaders and admins), the site-wide queue of every
association's open reports (`/moderation`, admins), and the decision on a post's reports (a POST from either queue)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import policy
from app.associations import queries as association_queries
from app.associations.services import InvalidState
from app.db import page_number
from app.discussions.engagement import post_url
from app.discussions.models import Post
from app.extensions import db
from app.moderation import reports
from app.moderation.models import ReportOutcome, ReportReason
from app.moderation.posts import ModerationError
from app.moderation.report_forms import ReportForm, ResolveForm, mute_choices
from app.policy import PermissionDenied, require

bp = Blueprint("reports", __name__)


def _post(post_id: int) -> Post:
    """The post; 404 when unknown or when its thread is hidden from the user."""
    post = db.get_or_404(Post, post_id)
    require(policy.can_view_thread(current_user, post.thread), hide=True)
    return post


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report_create(post_id):
    post = _post(post_id)
    require(policy.can_report_post(current_user, post))
    form = ReportForm()
    if reports.has_reported(current_user, post):
        return _report_page(post, form, already=True, status=400 if request.method == "POST" else 200)
    if form.validate_on_submit():
        try:
            reports.report_post(current_user, post, reason=ReportReason(form.reason.data), comment=form.comment.data)
        except reports.AlreadyReported:
            db.session.rollback()
            return _report_page(post, form, already=True, status=400)
        db.session.commit()
        flash(_("Спасибо: жалоба отправлена модераторам объединения."), "success")
        if post.hidden_at is not None:
            flash(_("Сообщение скрыто до проверки модератором."), "info")
        return redirect(post_url(post.thread_id, post.number))
    return _report_page(post, form, status=400 if request.method == "POST" else 200)


def _report_page(post: Post, form: ReportForm, *, already: bool = False, status: int = 200):
    return render_template(
        "moderation/report_form.html", post=post, thread=post.thread, form=form, already=already,
        back_url=post_url(post.thread_id, post.number),
    ), status  # fmt: skip


@bp.get("/associations/<slug>/moderation")
@login_required
def queue(slug):
    association = _association(slug)
    require(policy.can_view_moderation_queue(current_user, association))
    return _queue_page(association, page_number(request.args))


@bp.get("/moderation")
@login_required
def site_queue():
    require(policy.can_view_site_moderation_queue(current_user))
    return _queue_page(None, page_number(request.args))


def _association(slug: str):
    return association_queries.visible_by_slug_or_404(slug, current_user)


def _queue_page(association, page: int, failed: tuple[int, ResolveForm] | None = None, status: int = 200):
    """An association's queue, or every association's (None); `failed` re-shows one post's form with its errors."""
    me, site = current_user._get_current_object(), association is None
    return render_template(
        "moderation/queue.html", association=association, queue=reports.open_reports(me, association, page),
        resolved=reports.resolved_cases(association), failed=failed, mute_choices=mute_choices(),
        outcomes=ReportOutcome, site=site, endpoint="reports.site_queue" if site else "reports.queue",
    ), status  # fmt: skip


@bp.post("/posts/<int:post_id>/reports/resolve")
@login_required
def resolve(post_id):
    post = _post(post_id)
    association = post.thread.association
    require(policy.can_resolve_report(current_user, association))
    site = request.form.get("back") == "site" and policy.can_view_site_moderation_queue(current_user)
    back = url_for("reports.site_queue") if site else url_for("reports.queue", slug=association.slug)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _queue_page(None if site else association, page_number(request.form), (post.id, form), 400)
    try:
        count = reports.resolve_reports(current_user, post, outcome=form.chosen, reason=form.reason.data,
                                        mute_days=int(form.mute_days.data or 0))  # fmt: skip
    except (ModerationError, InvalidState) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(_outcome_message(form.chosen, count), "success")
    return redirect(back)


def _outcome_message(outcome: ReportOutcome, count: int) -> str:
    reports_word = ngettext("%(num)d жалоба принята.", "%(num)d жалоб принято.", count)
    if outcome == ReportOutcome.DISMISSED:
        reports_word = ngettext("%(num)d жалоба отклонена.", "%(num)d жалоб отклонено.", count)
    elif outcome == ReportOutcome.HIDDEN:
        reports_word = _("Сообщение скрыто.") + " " + reports_word
    else:
        reports_word = _("Сообщение скрыто, автор лишён права писать.") + " " + reports_word
    return reports_word + " " + _("Авторы жалоб получат уведомление о решении.")
