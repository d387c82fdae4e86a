"""Flask extensions, created unbound; `create_app` binds them."""

import click
from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.db import Base, page_number


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


class LazyMail:
    """Flask-Mail, imported when the first message is made: it brings smtplib and the MIME half of `email` (~0.7 MB
    a process) that a worker serving pages never needs. Its settings are read from the app's config then, as
    `Mail.init_app` would have read them at start."""

    def init_app(self, app) -> None:
        app.extensions["mail"] = None  # Flask-Mail's state, made by `_state()`

    def message(self, **fields):
        """A `flask_mail.Message` (its default sender comes from the state)."""
        from flask_mail import Message

        self._state()
        return Message(**fields)

    def connect(self):
        from flask_mail import Connection

        return Connection(self._state())

    def _state(self):
        from flask_mail import Mail

        app = current_app._get_current_object()
        return app.extensions.get("mail") or Mail().init_app(app)


class _BabelGlobals(dict):
    """Babel's global CLDR data with only the keys read so far; any other key loads the whole file on first use."""

    def get(self, key, default=None):
        if key not in self:
            self.update(_read_babel_globals())
        return super().get(key, default)


def _read_babel_globals() -> dict:
    import pickle
    from pathlib import Path

    import babel.core

    with open(Path(babel.core.__file__).with_name("global.dat"), "rb") as file:
        return pickle.load(file)  # noqa: S301  (Babel's own data file, read as Babel reads it)


def load_babel_globals_on_demand() -> None:
    """Babel unpickles all of its global CLDR data (`babel/global.dat`, ~2 MB in memory) the first time it reads a
    locale, for one small table (which locale inherits from which): keep that table, drop the rest, and read it again
    only if something asks for another key (time zone names, currencies, likely subtags…). `babel.core.get_global`
    reads `_global_data.get(key, {})`; Babel is pinned, and `tests/test_memory.py` checks the other keys still work."""
    import babel.core

    if getattr(babel.core, "_global_data", ...) is not None:  # loaded already, or not where this Babel keeps it
        return
    babel.core._global_data = _BabelGlobals(parent_exceptions=_read_babel_globals()["parent_exceptions"])


class _SQLAlchemy(SQLAlchemy):
    """`db.paginate()` reads ?page= from the request: a number beyond any list is the last possible page
    (`app.db.MAX_PAGE`), not an OFFSET that overflows the database's integers."""

    def paginate(self, select, *, page=None, **kwargs):
        if page is None and has_request_context():
            page = page_number(request.args)
        return super().paginate(select, page=page, **kwargs)


db = _SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = LazyMail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
