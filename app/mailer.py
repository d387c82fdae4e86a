"""E-mail written from templates: `queue_email()` renders `<template>.txt` (and `<template>.html` where it exists)
and adds the message to the outbox (app/mail/outbox.py) in the current transaction. It goes out after the commit,
from the mail worker (`flask mail worker`); a rolled back action sends nothing.

With no MAIL_SERVER configured (development), the worker writes each message to the log instead, so a newcomer can
follow a confirmation link.
"""

from __future__ import annotations

from flask import current_app, render_template, url_for

from app.mail.outbox import queue_message


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL + path: links in e-mails are right behind a proxy and when written outside a request (the worker)."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def queue_email(to: str, subject: str, template: str, *, user_id: int | None = None, headers: dict | None = None,
                **context) -> None:  # fmt: skip
    """Render the message now (in the current language and time zone) and queue it."""
    body = render_template(f"{template}.txt", **context)
    html = render_optional(f"{template}.html", **context)
    queue_message(to, subject, body, html, user_id=user_id, headers=headers)


def render_optional(name: str, **context) -> str | None:
    try:
        return render_template(name, **context)
    except Exception as exc:  # TemplateNotFound: plain text only
        if exc.__class__.__name__ == "TemplateNotFound":
            return None
        raise
