"""GET /healthz: the process is up and serving. Touches no database, template or session.

Load balancers poll it to decide whether to send traffic to a worker; the benchmark (bench/load.py) uses it as the
ceiling: the fastest a Flask endpoint can answer under the same server, to which real pages are compared.
"""

from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})
