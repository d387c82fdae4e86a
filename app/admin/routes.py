"""The admin area (/admin/): people, schools, subjects, associations, audit log. Admins only."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import policy
from app.admin import queries, services
from app.admin.forms import (
    AssociationFilterForm,
    AssociationForm,
    AuditFilterForm,
    LeaderForm,
    ReasonForm,
    RequiredReasonForm,
    RoleForm,
    SchoolForm,
    SubjectForm,
    UserFilterForm,
    choices,
)
from app.admin.mail_routes import bp as mail_bp
from app.associations.models import Association
from app.auth.models import User
from app.directory.models import School, Subject
from app.extensions import db

bp = Blueprint("admin", __name__)
bp.register_blueprint(mail_bp, url_prefix="/mail")  # /admin/mail: the outbox, behind this blueprint's gate


@bp.before_request
def require_admin():
    """One gate for every admin URL, before any id is looked up: anonymous → log in, others → 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    policy.require(policy.can_access_admin(current_user))
    return None


def _submit(form, action, rerender):
    """POST pipeline: validate → one service → commit → mail → flash, redirect; otherwise re-render with 400.

    `action()` calls the service and returns (message, category, url); a refusal (AdminError) is shown beside
    its field, or above the form.
    """
    if form.validate_on_submit():
        try:
            message, category, url = action()
        except services.AdminError as exc:
            db.session.rollback()
            (form[exc.field].errors if exc.field and exc.field in form else form.form_errors).append(exc.message)
        else:
            db.session.commit()
            flash(message, category)
            return redirect(url)
    return rerender(form)


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.is_submitted() else 200


def _saved(details: str) -> tuple[str, str]:
    return (_("Изменения сохранены."), "success") if details else (_("Изменений нет."), "info")


def _valid(field) -> str:
    """A filter's value, or "" when the value was rejected (the page then shows the message beside it)."""
    return "" if field.errors or field.data is None else str(field.data)


# --- overview -----------------------------------------------------------------------------------------------------


@bp.get("/")
def admin_index():
    return render_template(
        "admin/admin_index.html", user_counts=queries.user_counts(), counts=queries.overview_counts()
    )


# --- people -------------------------------------------------------------------------------------------------------


@bp.get("/users")
def user_list():
    form = UserFilterForm(request.args)
    valid = form.validate()
    page = queries.users_page(
        q=_valid(form.q), role=_valid(form.role), status=_valid(form.status), school_id=_valid(form.school)
    )
    return render_template("admin/user_list.html", form=form, page=page), 200 if valid else 400


def _load_user(user_id: int) -> User:
    return queries.user_with_details(user_id) or abort(404)


def _user_page(user: User, **forms):
    """The user's page; a form given by name replaces the blank one (re-shown with its errors, status 400)."""
    status = 400 if forms else 200
    forms.setdefault("approve_form", ReasonForm(formdata=None, prefix="approve"))
    forms.setdefault("role_form", RoleForm(formdata=None, prefix="role", data={"role": user.role.value}))
    forms.setdefault("suspend_form", RequiredReasonForm(formdata=None, prefix="suspend"))
    forms.setdefault("reactivate_form", ReasonForm(formdata=None, prefix="reactivate"))
    memberships, history = queries.memberships_of(user), queries.audit_about("user", user.id)
    return render_template("admin/user_show.html", user=user, memberships=memberships, history=history, **forms), status


@bp.get("/users/<int:user_id>")
def user_show(user_id: int):
    return _user_page(_load_user(user_id))


def _user_action(user_id: int, form_name: str, form, service, message: str):
    user = _load_user(user_id)

    def act():
        service(current_user, user, **{k: v for k, v in form.data.items() if k != "csrf_token"})
        return message, "success", url_for("admin.user_show", user_id=user.id)

    return _submit(form, act, lambda f: _user_page(user, **{form_name: f}))


@bp.post("/users/<int:user_id>/approve")
def user_approve(user_id: int):
    form = ReasonForm(prefix="approve")
    message = _("Учётная запись одобрена; пользователю отправлено письмо.")
    return _user_action(user_id, "approve_form", form, services.approve_user, message)


@bp.post("/users/<int:user_id>/role")
def user_set_role(user_id: int):
    form = RoleForm(prefix="role")
    return _user_action(user_id, "role_form", form, services.set_role, _("Роль изменена."))


@bp.post("/users/<int:user_id>/suspend")
def user_suspend(user_id: int):
    form = RequiredReasonForm(prefix="suspend")
    message = _("Учётная запись заблокирована, все её сеансы завершены.")
    return _user_action(user_id, "suspend_form", form, services.suspend_user, message)


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    form = ReasonForm(prefix="reactivate")
    return _user_action(user_id, "reactivate_form", form, services.reactivate_user, _("Учётная запись разблокирована."))


# --- schools and subjects -----------------------------------------------------------------------------------------


@bp.get("/schools")
def school_list():
    return render_template("admin/school_list.html", page=queries.schools_page())


@bp.route("/schools/new", methods=["GET", "POST"])
def school_create():
    form = SchoolForm()

    def create():
        school = services.create_school(current_user, data=form.data)
        return _("Организация «%(name)s» добавлена.", name=school.short_name), "success", url_for("admin.school_list")

    return _submit(form, create, lambda f: _form_page("admin/school_form.html", f, school=None))


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
def school_edit(school_id: int):
    school = db.get_or_404(School, school_id)
    form = SchoolForm(obj=school)

    def update():
        return *_saved(services.update_school(current_user, school, data=form.data)), url_for("admin.school_list")

    return _submit(form, update, lambda f: _form_page("admin/school_form.html", f, school=school))


@bp.get("/subjects")
def subject_list():
    return render_template("admin/subject_list.html", page=queries.subjects_page())


@bp.route("/subjects/new", methods=["GET", "POST"])
def subject_create():
    form = SubjectForm()

    def create():
        subject = services.create_subject(current_user, data=form.data)
        return _("Предмет «%(name)s» добавлен.", name=subject.name), "success", url_for("admin.subject_list")

    return _submit(form, create, lambda f: _form_page("admin/subject_form.html", f, subject=None))


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
def subject_edit(subject_id: int):
    subject = db.get_or_404(Subject, subject_id)
    form = SubjectForm(obj=subject)

    def update():
        return *_saved(services.update_subject(current_user, subject, data=form.data)), url_for("admin.subject_list")

    return _submit(form, update, lambda f: _form_page("admin/subject_form.html", f, subject=subject))


# --- associations -------------------------------------------------------------------------------------------------


@bp.get("/associations")
def association_list():
    form = AssociationFilterForm(request.args)
    valid = form.validate()
    page = queries.associations_page(q=_valid(form.q), state=_valid(form.state))
    return render_template("admin/association_list.html", form=form, page=page), 200 if valid else 400


@bp.route("/associations/new", methods=["GET", "POST"])
def association_create():
    form = AssociationForm()

    def create():
        association = services.create_association(current_user, data=form.data)
        message = _("Объединение «%(name)s» создано. Назначьте ему руководителя.", name=association.name)
        return message, "success", url_for("admin.association_edit", association_id=association.id)

    return _submit(form, create, lambda f: _form_page("admin/association_create.html", f))


def _leader_form(members, *, submitted: bool = False) -> LeaderForm:
    form = LeaderForm(prefix="leader") if submitted else LeaderForm(formdata=None, prefix="leader")
    picks = [(str(m.user_id), f"{m.user.full_name} ({m.user.email})") for m in members if not m.is_leader]
    form.user_id.choices = choices([("", _("— выберите участника —")), *picks])
    return form


def _association_page(association: Association, members=None, removing=None, **forms):
    """The edit page with its forms; a form given by name (or `removing`: user id, form) is re-shown with errors."""
    status = 400 if forms or removing else 200
    members = queries.association_members(association) if members is None else members
    forms.setdefault("form", AssociationForm(formdata=None, data=AssociationForm.data_of(association)))
    forms.setdefault("leader_form", _leader_form(members))
    forms.setdefault("archive_form", RequiredReasonForm(formdata=None, prefix="archive"))
    forms.setdefault("unarchive_form", ReasonForm(formdata=None, prefix="unarchive"))
    leaders = [
        (
            m,
            removing[1]
            if removing and removing[0] == m.user_id
            else ReasonForm(formdata=None, prefix=f"remove{m.user_id}"),
        )
        for m in members
        if m.is_leader
    ]
    page = render_template(
        "admin/association_edit.html", association=association, members=members, leaders=leaders, **forms
    )
    return page, status


def _association_url(association: Association) -> str:
    return url_for("admin.association_edit", association_id=association.id)


@bp.route("/associations/<int:association_id>/edit", methods=["GET", "POST"])
def association_edit(association_id: int):
    association = db.get_or_404(Association, association_id)
    if request.method == "GET":
        return _association_page(association)
    form = AssociationForm()

    def update():
        details = services.update_association(current_user, association, data=form.data)
        return *_saved(details), _association_url(association)

    return _submit(form, update, lambda f: _association_page(association, form=f))


@bp.post("/associations/<int:association_id>/archive")
def association_archive(association_id: int):
    association = db.get_or_404(Association, association_id)
    form = RequiredReasonForm(prefix="archive")

    def archive():
        services.archive_association(current_user, association, reason=form.reason.data)
        return _("Объединение перенесено в архив."), "success", _association_url(association)

    return _submit(form, archive, lambda f: _association_page(association, archive_form=f))


@bp.post("/associations/<int:association_id>/unarchive")
def association_unarchive(association_id: int):
    association = db.get_or_404(Association, association_id)
    form = ReasonForm(prefix="unarchive")

    def unarchive():
        services.unarchive_association(current_user, association, reason=form.reason.data)
        return _("Объединение возвращено из архива."), "success", _association_url(association)

    return _submit(form, unarchive, lambda f: _association_page(association, unarchive_form=f))


@bp.post("/associations/<int:association_id>/leaders")
def association_leader_add(association_id: int):
    association = db.get_or_404(Association, association_id)
    members = queries.association_members(association)
    form = _leader_form(members, submitted=True)

    def add():
        user = services.leader_candidate(email=form.email.data, user_id=form.user_id.data)
        services.set_leader(current_user, association, user, reason=form.reason.data)
        message = _("%(name)s назначен(а) руководителем.", name=user.full_name)
        return message, "success", _association_url(association)

    return _submit(form, add, lambda f: _association_page(association, members, leader_form=f))


@bp.post("/associations/<int:association_id>/leaders/<int:user_id>/remove")
def association_leader_remove(association_id: int, user_id: int):
    association = db.get_or_404(Association, association_id)
    leadership = queries.leader_membership(association, user_id) or abort(404)
    user = leadership.user
    form = ReasonForm(prefix=f"remove{user.id}")

    def remove():
        services.remove_leader(current_user, association, user, reason=form.reason.data)
        message = _("%(name)s больше не руководитель, но остаётся участником.", name=user.full_name)
        return message, "success", _association_url(association)

    return _submit(form, remove, lambda f: _association_page(association, removing=(user.id, f)))


# --- audit log ----------------------------------------------------------------------------------------------------


@bp.get("/audit")
def audit_list():
    form = AuditFilterForm(request.args)
    form.actor.choices = choices([("", _("Все")), *((str(u.id), u.full_name) for u in queries.audit_actors())])
    valid = form.validate()
    target_type = request.args.get("target_type", "")
    target_id = request.args.get("target_id", type=int) if target_type in services.TARGET_TYPES else None
    page = queries.audit_page(
        action=_valid(form.action), actor_id=_valid(form.actor), target_type=target_type, target_id=target_id
    )
    context = {"form": form, "page": page, "target_type": target_type if target_id else "", "target_id": target_id}
    return render_template("admin/audit_list.html", **context), 200 if valid else 400
