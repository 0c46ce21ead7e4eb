"""What a service refuses, in every domain. A service raises one of these and writes nothing; the
message is safe to show the user as it is. `status` is the HTTP status of the refusal, so the API
(guestrel.errors) and the browser forms (guestrel.web.forms) answer every domain's refusals alike."""

# The key of messages that concern no one field, as marshmallow names them.
GENERAL = "_schema"


class ServiceError(Exception):
    """`field` names the input the refusal is about, when there is one; `errors` maps each field
    to its messages ({} when the refusal concerns no field)."""

    status = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.errors = {field: [self.message]} if field else {}


class NotFoundError(ServiceError):
    """No such record, or one the principal may not see: the two are never told apart."""

    status = 404


class PermissionDeniedError(ServiceError):
    """The principal lacks the permission, or the property, for this."""

    status = 403


class InvalidDataError(ServiceError):
    """Values the service refuses, each field with its messages (GENERAL for what concerns no one
    field); `field` and `message` name the first of them."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        field = next(iter(errors))
        super().__init__(errors[field][0], None if field == GENERAL else field)
        self.errors = errors

    @classmethod
    def general(cls, message):
        return cls({GENERAL: [str(message)]})


class DuplicateError(ServiceError):
    """The value is already taken (an external id of another guest, a property or category code)."""

    status = 409


class ConflictError(ServiceError):
    """The record changed since the caller read it: the version it expected is stale."""

    status = 412
