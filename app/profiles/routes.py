"""Public profile pages of colleagues."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app import policy
from app.associations.queries import my_associations
from app.auth.models import User
from app.extensions import db

bp = Blueprint("profiles", __name__)


@bp.get("/<int:user_id>")
@login_required
def profile_show(user_id: int):
    user = db.get_or_404(User, user_id, options=[selectinload(User.subjects), selectinload(User.level_rows)])
    policy.require(policy.can_view_profile(current_user, user), hide=True)
    # Only the associations the viewer may see: a members-only МО is not revealed through someone's profile.
    memberships = [m for m in my_associations(user) if policy.can_view_association(current_user, m.association)]
    return render_template("profiles/profile_show.html", user=user, memberships=memberships)
