"""In-app notifications: what happened that concerns a user (a moderator's action on their content, the outcome of
their report …). Knows nothing of the features that notify: they pass a kind, the objects' ids and plain values."""
