"""The HTTP side of the guests API: request bodies parsed with a readable message on every
refusal, If-Match preconditions on versioned records, and service refusals turned into JSON errors."""
import re

import flask_smorest
from flask import request
from flask_babel import gettext as _
from flask_smorest import abort
from webargs.flaskparser import FlaskParser

from guestrel.guests.exceptions import GuestServiceError, InvalidDataError

STRONG_ETAG = re.compile(r'"(\d+)"|(\d+)')


def _field_names(messages) -> list[str]:
    names = []
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            names.extend(str(name) for name in location_errors)
    return names


class Parser(FlaskParser):
    """webargs' parser, with a top-level `message` besides the per-field `errors`."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        names = [name for name in _field_names(error.messages) if not name.startswith("_")]
        message = (_("Some values are not valid: %(fields)s.", fields=", ".join(names)) if names
                   else _("The request body is not a JSON object."))
        abort(error_status_code or self.DEFAULT_VALIDATION_STATUS, exc=error, messages=error.messages,
              message=message, headers=error_headers)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, messages={"json": ["Invalid JSON body."]},
              message=_("The request body is not valid JSON."))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


def etag(version: int) -> dict:
    return {"ETag": f'"{version}"'}


def expected_version(stale_message) -> int:
    """The version the client read, from If-Match: 428 without one (or with "*", which would
    overwrite blindly), 412 for a tag that cannot match (weak or malformed)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        abort(428, message=_("Send If-Match with the ETag you read."))
    match = STRONG_ETAG.fullmatch(header)
    if match is None:
        abort(412, message=stale_message)
    return int(match.group(1) or match.group(2))


def fail(error: GuestServiceError, location: str = "json"):
    """Answer with the service's refusal: its status, its message, the field it concerns."""
    if isinstance(error, InvalidDataError):
        names = [name for name in error.errors if not name.startswith("_")]
        message = (_("Some values are not valid: %(fields)s.", fields=", ".join(names)) if names
                   else error.message)
        abort(error.status, message=message, errors={location: error.errors})
    if error.field:
        abort(error.status, message=error.message, errors={location: {error.field: [error.message]}})
    abort(error.status, message=error.message)
