from django.db import DatabaseError

from . import selectors


def unread(request) -> dict:
    """The count beside « Nouveautés » in the header: one indexed query per page. The error
    pages render without it when the database is what failed."""
    try:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return {"unread_count": selectors.unread_count(user=user)}
    except DatabaseError:
        return {}
