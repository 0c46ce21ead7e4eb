"""The opentravel channel adapter: a channel manager (SiteMinder, RateGain, a CRS) pushes
OTA_HotelResNotifRQ messages for one hotel to the connection's inbound URL and waits for the
OTA_HotelResNotifRS.

The sender proves who it is with the connection's username and password, given in whichever
form its protocol uses: HTTP Basic auth, a WS-Security UsernameToken in the SOAP header, or
POS/Source/RequestorID ID and MessagePassword in the message. guestrel cannot call a channel
manager: it only answers what it is sent.
"""
import base64
import binascii
import hmac

import marshmallow
from marshmallow import fields, validate

from guestrel.plugins.plugin_api import ChannelAdapter, ConnectionCheck, HttpReply, PayloadError, SenderRefused

from guestrel_opentravel import replies
from guestrel_opentravel.document import (
    ERR_AUTHORIZATION,
    ERR_UNABLE_TO_PROCESS,
    EWT_AUTHENTICATION,
    EWT_PROCESSING_EXCEPTION,
    Document,
    OtaError,
    attribute,
    child,
    descendants,
    load,
    text,
)
from guestrel_opentravel.reservations import read_events

CONTENT_TYPE = "text/xml; charset=utf-8"
REQUIRED_SETTINGS = ("hotel_code", "username", "password")


class Settings(marshmallow.Schema):
    # The hotel's code at the channel manager (BasicPropertyInfo HotelCode); OTA allows 16 characters.
    hotel_code = fields.String(required=True, validate=validate.Length(min=1, max=16))
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    # What the channel manager sends with the username; twelve characters at least, as SiteMinder
    # requires of the credentials it is given.
    password = fields.String(required=True, validate=validate.Length(min=12, max=128))


def _basic_credentials(headers) -> list[tuple[str, str]]:
    value = next((value for name, value in headers.items() if name.lower() == "authorization"), "")
    scheme, _space, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return []
    try:
        username, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [(username, password)] if colon else []


def _message_credentials(document: Document) -> list[tuple[str, str]]:
    """The WS-Security UsernameToken of the SOAP header and each RequestorID with a MessagePassword."""
    found = []
    token = child(document.soap_header, "Security", "UsernameToken")
    if token is not None:
        found.append((text(child(token, "Username")) or "", text(child(token, "Password")) or ""))
    for requestor in descendants(document.request, "POS", "Source", "RequestorID"):
        if attribute(requestor, "MessagePassword") is not None:
            found.append((attribute(requestor, "ID") or "", attribute(requestor, "MessagePassword")))
    return found


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class OpenTravelAdapter(ChannelAdapter):
    name = "opentravel"
    settings_schema = Settings
    secret_settings = frozenset({"password"})
    # Larger messages are refused before they are parsed; the largest real batch of
    # reservations is a fraction of this.
    max_bytes = 2 * 1024 * 1024

    def check_connection(self) -> ConnectionCheck:
        absent = [name for name in REQUIRED_SETTINGS if not self.settings.get(name)]
        if absent:
            return ConnectionCheck(False, f"Set {', '.join(absent)} before the channel manager sends messages.")
        return ConnectionCheck(True, (
            f"The settings are complete. guestrel cannot call the channel manager: point it at this connection's "
            f"inbound URL for hotel {self.settings['hotel_code']}, with the user {self.settings['username']} and "
            f"its password (HTTP Basic auth, a WS-Security UsernameToken or RequestorID with MessagePassword)."
        ))

    def authenticate(self, headers, body: bytes) -> str | None:
        username, password = self.settings.get("username"), self.settings.get("password")
        if not (username and password):
            return "This connection has no username and password to check the sender against."

        def accepted(pairs) -> bool:
            # Both halves are compared every time, each in constant time: no early exit tells a
            # right username from a wrong one.
            return any(_same(user, username) & _same(secret, password) for user, secret in pairs)

        basic = _basic_credentials(headers)
        if accepted(basic):
            return None
        try:
            in_message = _message_credentials(load(body, self.max_bytes))
        except OtaError:
            in_message = []
        if accepted(in_message):
            return None
        if not (basic or in_message):
            return ("The message carries no credentials: send HTTP Basic auth, a WS-Security UsernameToken or "
                    "POS/Source/RequestorID with ID and MessagePassword.")
        return "The username or password is wrong."

    def parse_message(self, headers, body: bytes) -> list:
        return read_events(load(body, self.max_bytes), self.settings.get("hotel_code"))

    def reply(self, body: bytes, error: PayloadError | None) -> HttpReply:
        """Success, or Errors whose Type and Code say what is wrong. The core hands over only
        the text of an error stored in the inbox, so the message is read again to find them;
        a message that reads well failed while being applied."""
        try:
            document = load(body, self.max_bytes)
        except OtaError as unreadable:
            document, found = None, unreadable
        else:
            found = None
        if error is None:
            return HttpReply(200, CONTENT_TYPE, replies.success(document))
        if isinstance(error, SenderRefused):
            error_type, code = EWT_AUTHENTICATION, ERR_AUTHORIZATION
        else:
            if isinstance(error, OtaError):
                found = error
            elif found is None:
                try:
                    read_events(document, self.settings.get("hotel_code"))
                except OtaError as problem:
                    found = problem
            error_type, code = (found.error_type, found.code) if found else (EWT_PROCESSING_EXCEPTION,
                                                                              ERR_UNABLE_TO_PROCESS)
        return HttpReply(200, CONTENT_TYPE, replies.errors(document, error_type, code, str(error)))
