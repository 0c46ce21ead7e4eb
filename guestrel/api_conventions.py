"""What every API blueprint shares: arguments parsed with a readable `message` on every refusal,
query parameters an endpoint does not read refused, its error answers documented, and If-Match
preconditions on versioned records."""
import re
from functools import wraps
from http import HTTPStatus

import flask_smorest
from flask import g, request
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

STRONG_ETAG = re.compile(r'"(\d+)"|(\d+)')


def invalid_values_message(field_names, default: str) -> str:
    """The top-level message of a 422: the fields at fault, or `default` when none is named."""
    names = [str(name) for name in field_names if not str(name).startswith("_")]
    return _("Some values are not valid: %(fields)s.", fields=", ".join(names)) if names else default


class Parser(FlaskParser):
    """webargs' parser, with a top-level `message` besides the per-field `errors`. A query
    parameter the endpoint does not know is refused like a body field it does not know: a
    mistyped filter must not quietly widen what the answer holds."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}

    def load_querystring(self, req, schema):
        # The endpoint reads the query string with a schema, which refuses what it does not
        # know: Blueprint.response need not refuse the query string as a whole.
        g.query_parsed = True
        return super().load_querystring(req, schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        names = [name for location_errors in error.messages.values() if isinstance(location_errors, dict)
                 for name in location_errors]
        abort(error_status_code or self.DEFAULT_VALIDATION_STATUS, exc=error, messages=error.messages,
              message=invalid_values_message(names, _("The request body is not a JSON object.")),
              headers=error_headers)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, messages={"json": ["Invalid JSON body."]},
              message=_("The request body is not valid JSON."))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def response(self, *args, **kwargs):
        """flask-smorest's response decorator; it also refuses query parameters on an endpoint
        that reads none. It goes below `require` and `arguments`, so a missing permission or a
        refused argument answers first."""
        dump = super().response(*args, **kwargs)

        def decorator(func):
            @wraps(func)
            def refusing_an_unread_query(*f_args, **f_kwargs):
                if request.args and not g.get("query_parsed"):
                    self.ARGUMENTS_PARSER.parse({}, location="query")
                return func(*f_args, **f_kwargs)

            return dump(refusing_an_unread_query)

        return decorator

    def errors(self, *codes):
        """Documents the error answers an endpoint gives besides 401, 403 and its arguments' 422."""

        def decorator(func):
            for code in (401, 403, *codes):
                func = self.alt_response(code, response=HTTPStatus(code).name)(func)
            return func

        return decorator


# OpenAPI documentation of the optimistic-concurrency headers of versioned records.
ETAG_HEADER = {"ETag": {"description": "The record's version, quoted", "schema": {"type": "string"}}}
IF_MATCH = {"parameters": [{
    "in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
    "description": "The ETag you read, e.g. \"3\"",
}]}


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
