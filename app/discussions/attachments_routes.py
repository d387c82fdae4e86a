"""Serving attachments of posts: only to those who may see the post, with our own Content-Type and strict headers."""

from flask import Blueprint, abort, send_file
from flask_login import current_user

from app import policy
from app.discussions import attachments
from app.discussions.models import Attachment, Post
from app.extensions import db

bp = Blueprint("attachments", __name__)

# The file is never a page of ours: no scripts, no plugins, no same-origin powers even if a browser renders it.
FILE_CSP = "default-src 'none'; sandbox"
CACHE_SECONDS = 3600  # short: access follows membership, which can change


@bp.app_template_filter("filesize")
def filesize_filter(size: int) -> str:
    return attachments.human_size(size)


@bp.app_template_filter("attachment_type")
def attachment_type_filter(content_type: str) -> str:
    return attachments.type_label(content_type)


@bp.app_context_processor
def attachment_helpers():
    return {
        "attachment_types_hint": attachments.allowed_types_hint,
        "attachment_limits_hint": attachments.limits_hint,
    }


def _load(attachment_id: int) -> Attachment:
    attachment = db.get_or_404(Attachment, attachment_id)
    post = db.session.get(Post, attachment.post_id) if attachment.post_id is not None else None
    policy.require(post is not None and policy.can_download_attachment(current_user, attachment, post), hide=True)
    return attachment


def _send(name: str, mimetype: str, download_name: str, *, as_attachment: bool):
    path = attachments.stored_path(name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=True,
        etag=True,
        max_age=CACHE_SECONDS,
    )
    response.headers["Content-Type"] = mimetype  # as detected, charset included (Werkzeug would add its own)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.get("/attachments/<int:attachment_id>/thumb")
def attachment_thumbnail(attachment_id: int):
    attachment = _load(attachment_id)
    if not attachment.thumbnail_name:
        abort(404)
    mimetype = "image/png" if attachment.thumbnail_name.endswith(".png") else "image/jpeg"
    return _send(attachment.thumbnail_name, mimetype, attachment.display_name, as_attachment=False)


@bp.get("/attachments/<int:attachment_id>/<name>")
def attachment_download(attachment_id: int, name: str):
    """`name` is cosmetic (the browser's save-as name comes from Content-Disposition); the id decides."""
    attachment = _load(attachment_id)
    return _send(
        attachment.stored_name, attachment.content_type, attachment.display_name, as_attachment=not attachment.is_image
    )
