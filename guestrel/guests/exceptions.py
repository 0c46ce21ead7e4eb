"""What the guests service refuses. Every message is safe to show the user as it is; `status` is
the HTTP status the API answers with, so the API and the browser pages map errors the same way."""

GENERAL = "_schema"


class GuestServiceError(Exception):
    status = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotFoundError(GuestServiceError):
    """No such guest (or preference, date, category), or one the principal may not see: the two
    are never told apart."""

    status = 404


class PermissionDeniedError(GuestServiceError):
    """The principal lacks the permission, or the property, for this change."""

    status = 403


class InvalidDataError(GuestServiceError):
    """Values the service refuses. `errors` maps each field to its messages ("_schema" for what
    concerns no one field, as marshmallow does); `field` and `message` name the first of them."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        field = next(iter(errors))
        super().__init__(errors[field][0], None if field == GENERAL else field)
        self.errors = errors

    @classmethod
    def general(cls, message):
        return cls({GENERAL: [str(message)]})


class DuplicateError(GuestServiceError):
    """The value is already taken (an external id of another guest, a category code)."""

    status = 409


class ConflictError(GuestServiceError):
    """The record changed since the caller read it: `expected_version` is stale."""

    status = 412
