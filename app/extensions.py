"""Flask extensions, created unbound; `create_app` binds them."""

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.db import Base


class _LazyMigrateConfig:
    """Stands in `app.extensions["migrate"]` for Flask-Migrate's own config object (same attributes: `migrate`, `db`,
    `directory`, `configure_args`, `metadata`), creating the real `Migrate` on first use."""

    def __init__(self, db, directory: str, kwargs: dict):
        self.db = db
        self.directory = directory
        self._kwargs = kwargs
        self._migrate = None

    @property
    def migrate(self):
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate(db=self.db, directory=self.directory, **self._kwargs)
        return self._migrate

    @property
    def configure_args(self) -> dict:
        return self.migrate.alembic_ctx_kwargs

    @property
    def metadata(self):
        return self.db.metadata


class _LazyDbCommand(click.Command):
    """`flask db …`: Flask-Migrate's command group, imported when the command runs."""

    def __init__(self):
        super().__init__("db", short_help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as db_group

        return db_group.make_context(info_name, args, parent=parent, **extra)


class LazyMigrate:
    """Flask-Migrate without importing it in every web worker: Alembic, Mako and Pygments cost ~10 MB a process and
    only `flask db` and migration scripts need them. `flask_migrate.upgrade()` and friends work inside an app context
    as with `Migrate.init_app`."""

    def init_app(self, app, db, *, directory: str, **kwargs) -> None:
        app.extensions["migrate"] = _LazyMigrateConfig(db, directory, kwargs)
        app.cli.add_command(_LazyDbCommand())


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
