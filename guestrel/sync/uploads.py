"""Files uploaded for import are far larger than any other request body: their endpoints take up
to GUESTREL_IMPORT_MAX_CONTENT_LENGTH instead of MAX_CONTENT_LENGTH, and refuse more with 413."""
from functools import wraps

from flask import abort, current_app, request


def import_upload(view):
    """Raise the request's body limit to the import limit before anything reads the body, and
    answer 413 at once to a declared length above it (a body without one is cut off at it)."""

    @wraps(view)
    def with_import_limit(*args, **kwargs):
        limit = current_app.config["GUESTREL_IMPORT_MAX_CONTENT_LENGTH"]
        request.max_content_length = limit
        if (request.content_length or 0) > limit:
            abort(413)
        return view(*args, **kwargs)

    return with_import_limit
