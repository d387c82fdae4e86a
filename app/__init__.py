"""The ВМК application factory: config → extensions → blueprints → errors → CLI."""

import logging

from flask import Flask
from flask.templating import Environment
from sqlalchemy import event
from sqlalchemy.pool import StaticPool
from werkzeug.routing import IntegerConverter

from app.db import MAX_ID
from config import INSTANCE_DIR, config_from_env


class FlatGlobalsEnvironment(Environment):
    """Flask's Jinja environment, but each template sees the globals as one flat dict instead of a ChainMap over the
    environment's. Every `{% from … import … %}` compares the importing template's globals with the imported one's
    (Jinja's `_get_default_module`), and against a ChainMap that costs a look-up through every map for each of our
    ~70 globals: 0.1–0.2 ms a page. The globals are all registered by create_app, before the first template loads."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in our URLs stops at the largest id the databases hold (32-bit INTEGER on PostgreSQL): a longer
    number matches no route and is a 404, not an overflow in the query."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(INSTANCE_DIR))
    app.url_map.converters["int"] = DatabaseInteger
    app.jinja_environment = FlatGlobalsEnvironment
    _load_config(app, config)
    _init_extensions(app)
    _register_blueprints(app)

    from app import discussions, errors, fragments, mail, notifications, search, stamps
    from app.consultations import services as consultations
    from app.moderation import hooks as moderation_hooks

    fragments.init_app(app)
    stamps.listen()
    discussions.init_app(app)
    consultations.init_app(app)
    moderation_hooks.init_app(app)
    search.init_app(app)
    mail.init_app(app)
    notifications.init_app(app)
    errors.init_app(app)
    from app import cli

    cli.init_app(app)
    return app


def _load_config(app: Flask, config) -> None:
    app.config.from_object(config if config is not None and not isinstance(config, dict) else config_from_env())
    if isinstance(config, dict):
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production (VMK_ENV=production).")
        app.config["SECRET_KEY"] = "dev-only-insecure-key"
        app.logger.warning("SECRET_KEY is not set: using an insecure development key.")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        if ":memory:" in uri or uri in ("sqlite://", "sqlite:///"):
            options.setdefault("poolclass", StaticPool)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
        INSTANCE_DIR.mkdir(exist_ok=True)
    app.logger.setLevel(logging.INFO)


def _init_extensions(app: Flask) -> None:
    from app import i18n, models, policy, security  # models: also every table registered
    from app.extensions import babel, csrf, db, limiter, load_babel_globals_on_demand, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    load_babel_globals_on_demand()
    limiter.init_app(app)
    login_manager.init_app(app)
    _init_login(login_manager)
    i18n.init_app(app)
    security.init_app(app)
    app.jinja_env.globals.update(policy.POLICY_GLOBALS)
    app.jinja_env.add_extension("jinja2.ext.i18n")  # {% trans %} blocks, with Flask-Babel's gettext

    with app.app_context():
        models.give_dialect_kwargs(db.metadata, db.engine.dialect.name)
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_on_connect(app.config["SQLITE_CACHE_KIB"]))
            event.listen(db.engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(cache_kib: int):
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN: SAVEPOINTs then work (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # SQLite's own page cache per connection (its default is 2 000 KiB): pages it drops are read again from the
        # operating system's file cache, and the pages kept per worker under change stamps (app/stamps.py) spare
        # most reads anyway.
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        cursor.close()

    return on_connect


def _sqlite_on_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _init_login(login_manager) -> None:
    from flask_babel import lazy_gettext as _l

    from app.associations.models import MembershipState
    from app.associations.queries import remember_open_invitations, user_with_memberships
    from app.extensions import db
    from app.policy import remember_memberships
    from app.stamps import remember_site_stamp

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Войдите, чтобы открыть эту страницу.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(login_id: str):
        user_id, _, token = (login_id or "").partition(":")
        if not user_id.isdigit() or not token:
            return None
        rows = db.session.execute(user_with_memberships(), {"user_id": int(user_id)}).all()
        user = rows[0][0] if rows else None
        # A copied cookie from before a logout or password change carries an old token: refuse it.
        if user is None or user.session_token != token or not user.is_active:
            return None
        # each row: the user, the site stamp (2 columns), whether invitations wait, one membership's state (or NULLs)
        remember_memberships(user, [MembershipState(*row[4:]) for row in rows if row[4] is not None])
        remember_site_stamp(tuple(rows[0][1:3]))
        remember_open_invitations(user.id, rows[0][3])
        return user


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.associations.routes import bp as associations_bp
    from app.auth.routes import bp as auth_bp
    from app.consultations.kb import bp as knowledge_base_bp
    from app.consultations.routes import bp as consultations_bp
    from app.consultations.stats import bp as consultation_stats_bp
    from app.discussions.attachments_routes import bp as attachments_bp
    from app.discussions.editing_routes import bp as editing_bp
    from app.discussions.engagement_routes import bp as engagement_bp
    from app.discussions.feeds import bp as feeds_bp
    from app.discussions.routes import bp as discussions_bp
    from app.health import bp as health_bp
    from app.main.routes import bp as main_bp
    from app.moderation.log_routes import bp as moderation_log_bp
    from app.moderation.member_routes import bp as member_moderation_bp
    from app.moderation.post_routes import bp as post_moderation_bp
    from app.moderation.reports_routes import bp as reports_bp
    from app.moderation.thread_routes import bp as thread_moderation_bp
    from app.notifications.routes import bp as notifications_bp
    from app.profiles.routes import bp as profiles_bp
    from app.search.routes import bp as search_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(profiles_bp, url_prefix="/users")
    app.register_blueprint(associations_bp, url_prefix="/associations")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(discussions_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(consultation_stats_bp)
    app.register_blueprint(knowledge_base_bp)
    app.register_blueprint(engagement_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(editing_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(thread_moderation_bp)
    app.register_blueprint(member_moderation_bp)
    app.register_blueprint(post_moderation_bp)
    app.register_blueprint(moderation_log_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(search_bp)
