"""E-mail: messages are queued during the request and sent only after the commit.

With no MAIL_SERVER configured (development), each message is written to the log instead, so a newcomer can follow
a confirmation link. The notifications issue replaces the in-request queue with a transactional outbox.

Flask-Mail and smtplib are imported when a message is first queued or sent, not with the app (see
`app.extensions.LazyMail`): most requests send nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, g, render_template

from app.extensions import mail

if TYPE_CHECKING:
    import smtplib

    from flask_mail import Message


def queue_email(to: str, subject: str, template: str, **context) -> None:
    """Render `<template>.txt` (and `<template>.html` where it exists) and hold the message until commit."""
    body = render_template(f"{template}.txt", **context)
    html = _render_optional(f"{template}.html", **context)
    # One line: subjects quote names people typed, and a line break there would make Flask-Mail refuse the message
    # after the commit (BadHeaderError, a 500) or, with another mailer, inject headers.
    subject = " ".join(str(subject).split())
    message = mail.message(subject=subject, recipients=[to], body=body, html=html)
    g.setdefault("_outgoing_mail", []).append(message)


def _render_optional(name: str, **context) -> str | None:
    try:
        return render_template(name, **context)
    except Exception as exc:  # TemplateNotFound: plain text only
        if exc.__class__.__name__ == "TemplateNotFound":
            return None
        raise


def discard_queued() -> None:
    g.pop("_outgoing_mail", None)


def send_queued() -> int:
    """Send what the request queued; returns how many went out. Call right after `db.session.commit()`."""
    messages = g.pop("_outgoing_mail", [])
    for message in messages:
        deliver(message)
    return len(messages)


def deliver(message: Message) -> None:
    app = current_app
    if not app.config.get("MAIL_SERVER"):
        app.logger.info(
            "E-mail (no MAIL_SERVER set)\nTo: %s\nSubject: %s\n\n%s",
            ", ".join(message.recipients),
            message.subject,
            message.body,
        )
        return
    import smtplib

    connection = mail.connect()  # not entered: we open the SMTP connection ourselves, with a timeout
    try:
        connection.host = _smtp_host(app.config)
        try:
            connection.send(message)
        finally:
            connection.host.quit()
    except (smtplib.SMTPException, OSError):
        app.logger.exception("Could not send e-mail to %s", message.recipients)


def _smtp_host(config) -> smtplib.SMTP:
    # Flask-Mail sets no timeout: a silent server would hang the request forever.
    import smtplib

    host_cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    host = host_cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        host.starttls()
    if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
        host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return host
