"""Admin verbs: people, schools, subjects, associations. They flush, never commit, and write the audit log."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import policy
from app.admin.models import AuditEntry
from app.associations import services as association_services
from app.associations.models import (
    Association,
    AssociationKind,
    JoinPolicy,
    MemberRole,
    Membership,
    Visibility,
)
from app.auth import services as auth_services
from app.auth.models import Role, User, UserStatus
from app.db import utcnow
from app.directory.choices import subjects_by_ids
from app.directory.models import EducationLevel, School, SchoolKind, Subject
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mailer import absolute_url, queue_email
from app.markup import render_markdown
from app.moderation import log as moderation_log
from app.moderation.models import ModerationKind

NOTHING = "—"


class AdminError(Exception):
    """A refusal worded for the admin; `field` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- audit log ----------------------------------------------------------------------------------------------------

_TARGET_TYPES = {User: "user", School: "school", Subject: "subject", Association: "association",
                 OutboxMessage: "mail"}  # fmt: skip
TARGET_TYPES = frozenset(_TARGET_TYPES.values())


def target_label(target) -> str:
    if isinstance(target, User):
        return f"{target.full_name} <{target.email}>"
    if isinstance(target, OutboxMessage):  # notices are written when sent: their address is the account's
        account = db.session.get(User, target.user_id) if target.user_id else None
        address = target.to_address or (account.email if account else "")
        return f"№ {target.id} → {address}" + (f": {target.subject}" if target.subject else "")
    return target.name


def record_audit(actor, action: str, target, *, reason: str = "", details: str = "") -> AuditEntry:
    """Write one audit entry in the current transaction (it commits or rolls back with the action)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=_TARGET_TYPES[type(target)],
        target_id=target.id,
        target_label=target_label(target)[:300],
        reason=(reason or "").strip(),
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def describe_changes(before: dict[str, str], after: dict[str, str]) -> str:
    """Readable "field: old → new" lines for what differs between two snapshots."""
    lines = []
    for field, new in after.items():
        old = before.get(field, "")
        if old != new:
            lines.append(f"{field}: {old or NOTHING} → {new or NOTHING}")
    return "\n".join(lines)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


# --- people -------------------------------------------------------------------------------------------------------


def _user_snapshot(user: User) -> dict[str, str]:
    return {_("Статус"): user.status.label, _("Роль"): user.role.label}


def _change_user(actor, user: User, action: str, reason: str, **values) -> AuditEntry:
    before = _user_snapshot(user)
    for name, value in values.items():
        setattr(user, name, value)
    db.session.flush()
    return record_audit(actor, action, user, reason=reason, details=describe_changes(before, _user_snapshot(user)))


def approve_user(actor, user: User, *, reason: str = "") -> AuditEntry:
    """Let a pending account in and tell its owner by e-mail that they can log in."""
    if user.status != UserStatus.PENDING:
        raise AdminError(_("Одобрить можно только учётную запись, ожидающую одобрения."))
    entry = _change_user(actor, user, "user.approve", reason, status=UserStatus.ACTIVE)
    login_url = absolute_url("auth.login")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Ваша учётная запись в ВМК одобрена")
        queue_email(user.email, subject, "admin/email/account_approved", user=user, login_url=login_url)
    return entry


def set_role(actor, user: User, *, role: Role | str, reason: str = "") -> AuditEntry:
    """Make the user a teacher, methodist or admin."""
    role = Role(role)
    if not policy.can_change_role(actor, user, role):
        raise AdminError(_("Нельзя снять роль администратора с самого себя: попросите другого администратора."))
    if user.role == role:
        raise AdminError(_("У пользователя уже эта роль."), "role")
    return _change_user(actor, user, "user.set_role", reason, role=role)


def suspend_user(actor, user: User, *, reason: str) -> AuditEntry:
    """Block the account and end all its sessions at once."""
    if not policy.can_suspend_user(actor, user):
        raise AdminError(_("Нельзя заблокировать собственную учётную запись."))
    if user.status == UserStatus.SUSPENDED:
        raise AdminError(_("Учётная запись уже заблокирована."))
    if not _clean(reason):
        raise AdminError(_("Укажите причину блокировки."), "reason")
    auth_services.log_out_everywhere(user)
    moderation_log.record(actor, ModerationKind.USER_SUSPENDED, user=user, reason=reason)  # the site-wide log
    return _change_user(actor, user, "user.suspend", reason, status=UserStatus.SUSPENDED)


def reactivate_user(actor, user: User, *, reason: str = "") -> AuditEntry:
    """Lift a suspension."""
    if user.status != UserStatus.SUSPENDED:
        raise AdminError(_("Разблокировать можно только заблокированную учётную запись."))
    return _change_user(actor, user, "user.reactivate", reason, status=UserStatus.ACTIVE)


# --- schools and subjects -----------------------------------------------------------------------------------------


def _school_snapshot(school: School) -> dict[str, str]:
    return {_("Название"): school.name, _("Краткое название"): school.short_name, _("Тип"): school.kind.label}


def _check_school_name(name: str, exclude_id: int | None = None) -> None:
    taken = db.session.scalar(db.select(School.id).where(School.name == name, School.id != (exclude_id or 0)))
    if taken:
        raise AdminError(_("Организация с таким названием уже есть."), "name")


def create_school(actor, *, data: dict) -> School:
    """Add a school (образовательная организация)."""
    name = _clean(data["name"])
    _check_school_name(name)
    school = School(name=name, short_name=_clean(data["short_name"]), kind=SchoolKind(data["kind"]))
    db.session.add(school)
    db.session.flush()
    record_audit(actor, "school.create", school, details=describe_changes({}, _school_snapshot(school)))
    return school


def update_school(actor, school: School, *, data: dict) -> str:
    """Rename or reclassify a school; returns the change lines ("" when nothing changed)."""
    name = _clean(data["name"])
    _check_school_name(name, exclude_id=school.id)
    before = _school_snapshot(school)
    school.name, school.short_name, school.kind = name, _clean(data["short_name"]), SchoolKind(data["kind"])
    details = describe_changes(before, _school_snapshot(school))
    if details:
        db.session.flush()
        record_audit(actor, "school.update", school, details=details)
    return details


def _subject_snapshot(subject: Subject) -> dict[str, str]:
    return {_("Название"): subject.name, _("Адрес (slug)"): subject.slug}


def _subject_fields(data: dict, exclude_id: int | None) -> tuple[str, str]:
    name = _clean(data["name"])
    if db.session.scalar(db.select(Subject.id).where(Subject.name == name, Subject.id != (exclude_id or 0))):
        raise AdminError(_("Предмет с таким названием уже есть."), "name")
    slug = (data.get("slug") or "").strip()
    if not slug:
        return name, _free_subject_slug(association_services.slugify(name), exclude_id)
    if db.session.scalar(db.select(Subject.id).where(Subject.slug == slug, Subject.id != (exclude_id or 0))):
        raise AdminError(_("Этот адрес уже занят другим предметом."), "slug")
    return name, slug


def _free_subject_slug(base: str, exclude_id: int | None) -> str:
    base, slug, n = base[:55], base[:60], 2
    while db.session.scalar(db.select(Subject.id).where(Subject.slug == slug, Subject.id != (exclude_id or 0))):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_subject(actor, *, data: dict) -> Subject:
    """Extend the subject list; the slug is derived from the name unless given."""
    name, slug = _subject_fields(data, None)
    subject = Subject(name=name, slug=slug)
    db.session.add(subject)
    db.session.flush()
    record_audit(actor, "subject.create", subject, details=describe_changes({}, _subject_snapshot(subject)))
    return subject


def update_subject(actor, subject: Subject, *, data: dict) -> str:
    """Rename a subject or change its slug; returns the change lines ("" when nothing changed)."""
    name, slug = _subject_fields(data, subject.id)
    before = _subject_snapshot(subject)
    subject.name, subject.slug = name, slug
    details = describe_changes(before, _subject_snapshot(subject))
    if details:
        db.session.flush()
        record_audit(actor, "subject.update", subject, details=details)
    return details


# --- associations -------------------------------------------------------------------------------------------------


def _association_snapshot(association: Association) -> dict[str, str]:
    return {
        _("Название"): association.name,
        _("Адрес (slug)"): association.slug,
        _("Вид"): association.kind.label,
        _("Видимость"): association.visibility.label,
        _("Вступление"): association.join_policy.label,
        _("Организация"): association.school.short_name if association.school else "",
        _("Предметы"): ", ".join(s.name for s in association.subjects),
        _("Уровни"): ", ".join(level.short_label for level in association.levels),
    }


def _association_values(data: dict, exclude_id: int | None) -> dict:
    """Form data → model values, enforcing the rules a form alone cannot know."""
    name, kind = _clean(data["name"]), AssociationKind(data["kind"])
    slug = (data.get("slug") or "").strip() or association_services.unique_slug(name, exclude_id)
    taken = db.session.scalar(
        db.select(Association.id).where(Association.slug == slug, Association.id != (exclude_id or 0))
    )
    if taken:
        raise AdminError(_("Этот адрес уже занят другим объединением."), "slug")
    school = db.session.get(School, int(data["school_id"])) if str(data.get("school_id") or "").isdigit() else None
    if kind == AssociationKind.SCHOOL and school is None:
        raise AdminError(_("Для школьного МО укажите организацию."), "school_id")
    return {
        "name": name,
        "slug": slug,
        "kind": kind,
        "description": (data.get("description") or "").strip(),
        "visibility": Visibility(data["visibility"]),
        "join_policy": JoinPolicy(data["join_policy"]),
        "school": school,
        "subjects": subjects_by_ids(data.get("subject_ids")),
        "levels": [EducationLevel(v) for v in data.get("levels") or ()],
    }


def create_association(actor, *, data: dict) -> Association:
    """Create an association through the associations feature, and log it."""
    association = association_services.create_association(**_association_values(data, None))
    details = describe_changes({}, _association_snapshot(association))
    record_audit(actor, "association.create", association, details=details)
    return association


def update_association(actor, association: Association, *, data: dict) -> str:
    """Change an association's settings; returns the change lines ("" when nothing changed)."""
    values = _association_values(data, association.id)
    before, old_description = _association_snapshot(association), association.description
    subjects, levels = values.pop("subjects"), values.pop("levels")
    for name, value in values.items():
        setattr(association, name, value)
    association.description_html = render_markdown(association.description)
    association.subjects = subjects
    association.set_levels(levels)
    db.session.flush()
    lines = [describe_changes(before, _association_snapshot(association))]
    if association.description != old_description:
        # The description can be long: the log says that it changed rather than copying it twice.
        lines.append(_("Описание: изменено"))
    details = "\n".join(line for line in lines if line)
    if details:
        record_audit(actor, "association.update", association, details=details)
    return details


def archive_association(actor, association: Association, *, reason: str) -> AuditEntry:
    """Move an association to the archive: read-only, hidden from the catalogue."""
    if association.is_archived:
        raise AdminError(_("Объединение уже в архиве."))
    if not _clean(reason):
        raise AdminError(_("Укажите причину архивирования."), "reason")
    association.archived_at = utcnow()
    db.session.flush()
    details = f"{_('Архив')}: {_('нет')} → {_('да')}"
    return record_audit(actor, "association.archive", association, reason=reason, details=details)


def unarchive_association(actor, association: Association, *, reason: str = "") -> AuditEntry:
    """Bring an archived association back."""
    if not association.is_archived:
        raise AdminError(_("Объединение не в архиве."))
    association.archived_at = None
    db.session.flush()
    details = f"{_('Архив')}: {_('да')} → {_('нет')}"
    return record_audit(actor, "association.unarchive", association, reason=reason, details=details)


def _membership(user: User, association: Association) -> Membership | None:
    return db.session.scalar(
        db.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )


def leader_candidate(*, email: str = "", user_id: str = "") -> User:
    """The person a leader form names: by e-mail if one is given, else the member picked from the list."""
    if email:
        user = auth_services.find_user_by_email(email)
        if user is None:
            raise AdminError(_("Пользователь с таким адресом электронной почты не найден."), "email")
        return user
    user = db.session.get(User, int(user_id)) if str(user_id or "").isdigit() else None
    if user is None:
        raise AdminError(_("Выберите участника или укажите e-mail."), "email")
    return user


def set_leader(actor, association: Association, user: User, *, reason: str = "") -> Membership:
    """Make the user a leader of the association (an active member with the leader role)."""
    if user.status != UserStatus.ACTIVE:
        raise AdminError(_("Руководителем можно назначить только активного пользователя."), "email")
    current = _membership(user, association)
    if current is not None and current.is_leader:
        raise AdminError(_("Этот пользователь уже руководитель объединения."), "email")
    old = current.role.label if current is not None and current.is_active else _("не участник")
    membership = association_services.add_member(user, association, role=MemberRole.LEADER)
    details = f"{target_label(user)}: {old} → {MemberRole.LEADER.label}"
    record_audit(actor, "association.leader_add", association, reason=reason, details=details)
    return membership


def remove_leader(actor, association: Association, user: User, *, reason: str = "") -> Membership:
    """Take the leader role away; the person stays a plain member."""
    current = _membership(user, association)
    if current is None or not current.is_leader:
        raise AdminError(_("Этот пользователь не руководитель объединения."))
    membership = association_services.add_member(user, association, role=MemberRole.MEMBER)
    details = f"{target_label(user)}: {MemberRole.LEADER.label} → {MemberRole.MEMBER.label}"
    record_audit(actor, "association.leader_remove", association, reason=reason, details=details)
    return membership
