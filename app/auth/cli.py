"""`flask user create EMAIL --name "ФИО" --role teacher|methodist|admin --password PW`."""

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role, UserStatus
from app.auth.passwords import password_problem
from app.extensions import db

user_cli = AppGroup("user", help="Manage accounts.")


@user_cli.command("create")
@click.argument("email")
@click.option("--name", "full_name", required=True, help="ФИО")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.TEACHER.value, show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted when left out.")
def create_user_command(email: str, full_name: str, role: str, password: str) -> None:
    """Create an active, confirmed account (for admins setting up the site)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.UsageError(f"Некорректный адрес электронной почты: {exc}") from exc
    if not full_name.strip():
        raise click.UsageError("Укажите ФИО: --name «Фамилия Имя Отчество».")
    if problem := password_problem(password):
        raise click.UsageError(problem)
    try:
        user = services.create_user(
            email, full_name, password, role=Role(role), status=UserStatus.ACTIVE, email_confirmed=True
        )
    except services.AccountError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
