"""Moderators' actions on members (issue 6): a member's moderation page (reached from the members list), mute for a
period and unmute, remove, ban and lift a ban, the list of banned people; pre-moderation: the association's setting
and the approval or rejection of held posts (shown in the moderation queue by `moderation/_held_posts.html`)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.associations import queries as association_queries
from app.associations import services as association_services
from app.associations.models import Association, Membership
from app.associations.services import InvalidState
from app.discussions.models import Post
from app.discussions.services import DiscussionError
from app.extensions import db
from app.moderation import members, premoderation
from app.moderation.member_forms import MuteForm, OptionalReasonForm, PremoderationForm, ReasonForm, RejectForm
from app.policy import require

bp = Blueprint("member_moderation", __name__)


def _association(slug: str) -> Association:
    return association_queries.visible_by_slug_or_404(slug, current_user)


def _membership(slug: str, membership_id: int, allowed) -> Membership:
    """The membership in the association; 404 when unknown or elsewhere, 403 unless `allowed(user, membership)`."""
    association = _association(slug)
    membership = db.get_or_404(Membership, membership_id)
    require(membership.association_id == association.id, hide=True)
    require(allowed(current_user, membership))
    return membership


def _may_act_on(user, membership: Membership) -> bool:
    return (
        policy.can_mute_member(user, membership)
        or policy.can_ban_member(user, membership)
        or policy.can_unban_member(user, membership)
    )


def _done(message: str, target: str, category: str = "success"):
    db.session.commit()
    flash(message, category)
    return redirect(target)


def _members_url(membership: Membership) -> str:
    return url_for("associations.member_list", slug=membership.association.slug)


# --- a member ---------------------------------------------------------------------------------------------------


@bp.get("/associations/<slug>/moderation/members/<int:membership_id>")
@login_required
def member_show(slug, membership_id):
    membership = _membership(slug, membership_id, _may_act_on)
    return _member_page(membership)


def _member_page(membership: Membership, status: int = 200, **sent):
    """The member's page; `sent` holds the form that came back with errors (mute_form, unmute_form, …)."""
    forms = {
        "mute_form": MuteForm(formdata=None), "unmute_form": OptionalReasonForm(formdata=None, prefix="unmute"),
        "remove_form": ReasonForm(formdata=None, prefix="remove"), "ban_form": ReasonForm(formdata=None, prefix="ban"),
        **sent,
    }  # fmt: skip
    return render_template(
        "moderation/member_moderate.html", membership=membership, association=membership.association,
        mute=members.mute_of(membership.user, membership.association), **forms,
    ), status  # fmt: skip


@bp.post("/associations/<slug>/moderation/members/<int:membership_id>/mute")
@login_required
def member_mute(slug, membership_id):
    membership = _membership(slug, membership_id, policy.can_mute_member)
    form = MuteForm()
    if not form.validate_on_submit():
        return _member_page(membership, 400, mute_form=form)
    try:
        members.mute_member(current_user, membership, until=form.muted_until(), reason=form.reason.data)
    except InvalidState as exc:
        form.reason.errors = [*form.reason.errors, str(exc)]
        return _member_page(membership, 400, mute_form=form)
    name = membership.user.full_name
    return _done(_("%(name)s не может писать в объединении до указанного срока.", name=name), _members_url(membership))


@bp.post("/associations/<slug>/moderation/members/<int:membership_id>/unmute")
@login_required
def member_unmute(slug, membership_id):
    membership = _membership(slug, membership_id, policy.can_mute_member)
    form = OptionalReasonForm(prefix="unmute")
    if not form.validate_on_submit():
        return _member_page(membership, 400, unmute_form=form)
    if not members.unmute_member(current_user, membership, reason=form.reason.data):
        return _done(_("Этот участник и так может писать."), _members_url(membership), "info")
    return _done(_("%(name)s снова может писать.", name=membership.user.full_name), _members_url(membership))


@bp.post("/associations/<slug>/moderation/members/<int:membership_id>/remove")
@login_required
def member_remove(slug, membership_id):
    membership = _membership(slug, membership_id, policy.can_remove_member)
    form = ReasonForm(prefix="remove")
    if not form.validate_on_submit():
        return _member_page(membership, 400, remove_form=form)
    target, name = _members_url(membership), membership.user.full_name
    members.remove_member(current_user, membership, reason=form.reason.data)
    return _done(_("%(name)s исключён(а) из объединения.", name=name), target)


@bp.post("/associations/<slug>/moderation/members/<int:membership_id>/ban")
@login_required
def member_ban(slug, membership_id):
    membership = _membership(slug, membership_id, policy.can_ban_member)
    form = ReasonForm(prefix="ban")
    if not form.validate_on_submit():
        return _member_page(membership, 400, ban_form=form)
    members.ban_member(current_user, membership, reason=form.reason.data)
    message = _("%(name)s исключён(а) без права вернуться.", name=membership.user.full_name)
    return _done(message, url_for("member_moderation.banned_list", slug=slug))


@bp.post("/associations/<slug>/moderation/members/<int:membership_id>/unban")
@login_required
def member_unban(slug, membership_id):
    membership = _membership(slug, membership_id, policy.can_unban_member)
    form = OptionalReasonForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("Форма устарела. Попробуйте ещё раз."), "error")
        return redirect(url_for("member_moderation.banned_list", slug=slug))
    name = membership.user.full_name
    members.unban_member(current_user, membership, reason=form.reason.data)
    message = _("Запрет снят: %(name)s может снова подать заявку.", name=name)
    return _done(message, url_for("member_moderation.banned_list", slug=slug))


@bp.get("/associations/<slug>/moderation/banned")
@login_required
def banned_list(slug):
    association = _association(slug)
    require(policy.can_moderate(current_user, association))
    return render_template(
        "moderation/banned_list.html", association=association, banned=members.banned_members(association),
        form=OptionalReasonForm(formdata=None),
    )  # fmt: skip


# --- pre-moderation ---------------------------------------------------------------------------------------------


@bp.route("/associations/<slug>/moderation/settings", methods=["GET", "POST"])
@login_required
def premoderation_settings(slug):
    association = _association(slug)
    require(policy.can_set_premoderation(current_user, association))
    form = PremoderationForm(data={"posts": association.premoderation_posts})
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("moderation/premoderation_settings.html", association=association, form=form), status
    if premoderation.set_premoderation(current_user, association, form.posts.data):
        message = _("Премодерация: %(setting)s.", setting=premoderation.describe(form.posts.data))
        return _done(message, url_for("member_moderation.premoderation_settings", slug=slug))
    return _done(_("Настройка не изменилась."), url_for("member_moderation.premoderation_settings", slug=slug), "info")


def _held_post(post_id: int) -> Post:
    """A post for review: 404 when unknown or hidden from the user, 403 unless they moderate its association."""
    post = db.get_or_404(Post, post_id)
    require(policy.can_view_thread(current_user, post.thread), hide=True)
    require(policy.can_moderate(current_user, post.thread.association))
    return post


def _queue_url(post: Post) -> str:
    if request.form.get("back") == "site" and policy.is_admin(current_user):
        return url_for("reports.site_queue")
    return url_for("reports.queue", slug=post.thread.association.slug)


@bp.post("/moderation/held/<int:post_id>/approve")
@login_required
def held_post_approve(post_id):
    post = _held_post(post_id)
    back = _queue_url(post)
    if not policy.can_review_held_post(current_user, post):
        return _done(_("Это сообщение уже рассмотрено."), back, "info")
    try:
        premoderation.approve_post(current_user, post)
    except DiscussionError as exc:  # a hook refused it, e.g. a reply to a question closed meanwhile
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    return _done(_("Сообщение опубликовано."), back)


@bp.post("/moderation/held/<int:post_id>/reject")
@login_required
def held_post_reject(post_id):
    post = _held_post(post_id)
    back = _queue_url(post)
    if not policy.can_review_held_post(current_user, post):
        return _done(_("Это сообщение уже рассмотрено."), back, "info")
    form = RejectForm()
    if not form.validate_on_submit():
        return render_template("moderation/held_post_reject.html", post=post, form=form, back=back), 400
    premoderation.reject_post(current_user, post, form.reason.data)
    return _done(_("Сообщение отклонено: автор увидит причину."), back)


@bp.app_template_global()
def held_posts(association: Association | None = None) -> premoderation.HeldPosts:
    """The posts waiting for approval the signed-in user may review: the association's, or (None) every
    association's for admins. Empty for anyone else."""
    if association is None:
        allowed = policy.is_admin(current_user)  # the site-wide queue (reports.site_queue) is the admins'
    else:
        allowed = policy.can_view_moderation_queue(current_user, association)
    if not allowed:
        return premoderation.HeldPosts([], False)
    return premoderation.held_posts(association)


@bp.app_template_global()
def mute_notice(association: Association) -> tuple | None:
    """(until when, why) the signed-in user is muted in the association: one query, asked only of a muted member."""
    if not policy.is_muted(current_user, association):
        return None
    return members.mute_of(current_user, association)


@bp.app_template_global()
def ban_message(association: Association) -> str:
    """What the signed-in user, barred from the association, is told there (one query, asked only of them)."""
    reason = db.session.scalar(
        db.select(Membership.ban_reason).where(
            Membership.user_id == current_user.id, Membership.association_id == association.id
        )
    )
    return association_services.ban_message(reason or "")


bp.add_app_template_global(members.is_muted_now, "muted_now")
bp.add_app_template_global(premoderation.describe, "premoderation_setting")
