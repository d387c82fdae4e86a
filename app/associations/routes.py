"""Association pages: list, detail, joining and leaving, join requests, invitations."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.associations import queries, services
from app.associations.forms import FilterForm, InviteForm, JoinForm
from app.associations.models import Association, Invitation, Membership, MembershipStatus
from app.db import page_number
from app.extensions import db
from app.policy import PermissionDenied, require

bp = Blueprint("associations", __name__)
bp.add_app_template_global(queries.card_values, "association_card_values")


def _load(slug: str) -> Association:
    return queries.visible_by_slug_or_404(slug, current_user)


def _show_url(association: Association) -> str:
    return url_for("associations.association_show", slug=association.slug)


def _paginate(stmt):
    """One page of rows; a page number that is not a number is page 1, not an error."""
    return db.paginate(stmt, page=page_number(request.args), per_page=current_app.config["PER_PAGE"])


def _done(message: str, category: str, target: str):
    """Commit the one change, send its mail, say what happened and go back."""
    db.session.commit()
    return _say(message, category, target)


def _say(message: str, category: str, target: str):
    flash(message, category)
    return redirect(target)


@bp.get("/")
def association_list():
    form = FilterForm(request.args)
    filters = form.cleaned()
    archived = request.args.get("archived") == "1"
    stmt = queries.association_list(current_user, archived=archived, **filters)
    page = _paginate(stmt)
    return render_template(
        "associations/association_list.html",
        page=page,
        form=form,
        archived=archived,
        filtered=any(filters.values()),
        memberships=policy.memberships_of(current_user),
    )


@bp.get("/<slug>/")
def association_show(slug):
    association = _load(slug)
    return _render_show(association, JoinForm())


def _render_show(association: Association, join_form: JoinForm, status: int = 200):
    subject_names, levels = queries.subjects_and_levels(association)
    leaders, newest = queries.people_of(association) if policy.can_view_members(current_user, association) else ([], [])
    mine = policy.membership(current_user, association)
    return render_template(
        "associations/association_show.html",
        association=association,
        subject_names=subject_names,
        levels=levels,
        join_form=join_form,
        my_membership=mine,
        invitation=queries.invitation_for(current_user, association) if mine is None else None,
        leaders=leaders,
        preview=newest,
    ), status


@bp.get("/<slug>/members")
@login_required
def member_list(slug):
    association = _load(slug)
    require(policy.can_view_members(current_user, association))
    page = _paginate(queries.members(association))
    return render_template("associations/member_list.html", association=association, page=page)


@bp.post("/<slug>/join")
@login_required
def association_join(slug):
    association = _load(slug)
    mine = policy.membership(current_user, association)
    banned = mine is not None and mine.status == MembershipStatus.BANNED  # the service refuses with the reason
    if mine is not None and not banned:
        already = _("Вы уже участник этого объединения.") if mine.is_active else _("Ваша заявка уже отправлена.")
        return _say(already, "info", _show_url(association))
    require(banned or policy.can_join(current_user, association))
    form = JoinForm()
    if not form.validate_on_submit():
        return _render_show(association, form, 400)
    try:
        membership = services.join_association(current_user, association, message=form.message.data or "")
    except (services.InvalidState, PermissionDenied) as exc:
        return _say(str(exc), "error", _show_url(association))
    if membership.is_active:
        message = _("Вы вступили в объединение «%(name)s».", name=association.name)
    else:
        message = _("Заявка отправлена руководителю объединения.")
    return _done(message, "success", _show_url(association))


@bp.post("/<slug>/leave")
@login_required
def association_leave(slug):
    association = db.session.scalar(queries.by_slug(), {"slug": slug})
    if association is None:
        abort(404)
    visible = policy.can_view_association(current_user, association)
    # A pending request stays withdrawable even where the association is hidden from non-members.
    require(visible or policy.can_leave(current_user, association), hide=True)
    try:
        was = services.leave_association(current_user, association)
    except services.InvalidState as exc:
        return _say(str(exc), "error", _show_url(association) if visible else url_for("main.home"))
    if was == MembershipStatus.PENDING:
        return _done(_("Заявка отменена."), "info", _show_url(association) if visible else url_for("main.home"))
    target = _show_url(association) if policy.can_view_association(current_user, association) else url_for("main.home")
    return _done(_("Вы вышли из объединения «%(name)s».", name=association.name), "info", target)


@bp.get("/<slug>/requests")
@login_required
def request_list(slug):
    association = _load(slug)
    require(policy.can_manage_members(current_user, association))
    return _render_requests(association, InviteForm())


def _render_requests(association: Association, invite_form: InviteForm, status: int = 200):
    return render_template(
        "associations/request_list.html",
        association=association,
        requests=queries.pending_requests(association),
        invitations=queries.invitations_sent(association),
        invite_form=invite_form,
    ), status


def _load_request(slug: str, membership_id: int) -> Membership:
    association = _load(slug)
    require(policy.can_manage_members(current_user, association))
    membership = db.get_or_404(Membership, membership_id)
    require(membership.association_id == association.id, hide=True)
    return membership


@bp.post("/<slug>/requests/<int:membership_id>/accept")
@login_required
def request_accept(slug, membership_id):
    membership = _load_request(slug, membership_id)
    target = url_for("associations.request_list", slug=slug)
    try:
        services.accept_request(current_user, membership)
    except services.InvalidState as exc:
        return _say(str(exc), "info", target)
    return _done(_("%(name)s принят(а) в объединение.", name=membership.user.full_name), "success", target)


@bp.post("/<slug>/requests/<int:membership_id>/decline")
@login_required
def request_decline(slug, membership_id):
    membership = _load_request(slug, membership_id)
    target, name = url_for("associations.request_list", slug=slug), membership.user.full_name
    try:
        services.decline_request(current_user, membership)
    except services.InvalidState as exc:
        return _say(str(exc), "info", target)
    return _done(_("Заявка от %(name)s отклонена.", name=name), "info", target)


@bp.post("/<slug>/invite")
@login_required
def invitation_create(slug):
    association = _load(slug)
    require(policy.can_invite(current_user, association))
    form = InviteForm()
    if not form.validate_on_submit():
        return _render_requests(association, form, 400)
    try:
        invitation, created = services.invite_by_email(current_user, association, email=form.email.data)
    except services.InvalidState as exc:
        form.email.errors.append(str(exc))
        return _render_requests(association, form, 400)
    if created:
        message = _("Приглашение отправлено на %(email)s.", email=invitation.email)
    else:
        message = _("Приглашение на %(email)s отправлено повторно.", email=invitation.email)
    return _done(message, "success", url_for("associations.request_list", slug=slug))


@bp.get("/invitations")
@login_required
def invitation_list():
    return render_template("associations/invitation_list.html", invitations=queries.invitations_for(current_user))


def _load_invitation(invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    require(policy.can_respond_to_invitation(current_user, invitation), hide=True)
    return invitation


@bp.post("/invitations/<int:invitation_id>/accept")
@login_required
def invitation_accept(invitation_id):
    invitation = _load_invitation(invitation_id)
    association = invitation.association
    try:
        services.accept_invitation(current_user, invitation)
    except (services.InvalidState, PermissionDenied) as exc:
        return _say(str(exc), "info", url_for("associations.invitation_list"))
    return _done(_("Вы вступили в объединение «%(name)s».", name=association.name), "success", _show_url(association))


@bp.post("/invitations/<int:invitation_id>/decline")
@login_required
def invitation_decline(invitation_id):
    invitation = _load_invitation(invitation_id)
    try:
        services.decline_invitation(current_user, invitation)
    except services.InvalidState as exc:
        return _say(str(exc), "info", url_for("associations.invitation_list"))
    return _done(_("Приглашение отклонено."), "info", url_for("associations.invitation_list"))
