"""Reading an OTA_HotelResNotifRQ safely, bare or inside a SOAP 1.1 envelope (as SiteMinder's
pmsXchange sends it), and the OpenTravel error type and code each refusal is answered with.

A channel's message is untrusted XML. It is size-checked before the parser sees it and parsed by
defusedxml with DTDs forbidden: no entity expansion (billion laughs), no external entity or DTD
fetched (XXE). OTA messages never need a DTD, so any DOCTYPE is refused outright. Elements are
matched by local name, since senders differ on namespaces (some omit the OTA one).
"""
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from guestrel.plugins.plugin_api import PayloadError

OTA_NAMESPACE = "http://www.opentravel.org/OTA/2003/05"
SOAP_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
REQUEST = "OTA_HotelResNotifRQ"

# OpenTravel code list Error Warning Type (EWT).
EWT_AUTHENTICATION = "4"
EWT_AUTHORIZATION = "6"
EWT_PROTOCOL_VIOLATION = "7"
EWT_REQUIRED_FIELD_MISSING = "10"
EWT_PROCESSING_EXCEPTION = "12"
# OpenTravel code list Error Codes (ERR).
ERR_INVALID_DATE = "15"
ERR_INVALID_CURRENCY = "61"
ERR_INVALID_VALUE = "320"
ERR_REQUIRED_FIELD_MISSING = "321"
ERR_INVALID_STATUS = "356"
ERR_INVALID_HOTEL_CODE = "392"
ERR_INVALID_DATE_RANGE = "404"
ERR_UNABLE_TO_PROCESS = "450"
ERR_AUTHORIZATION = "497"


class OtaError(PayloadError):
    """A message refused for a reason the channel is told with an OTA error Type and Code."""

    def __init__(self, message: str, error_type: str, code: str):
        super().__init__(message)
        self.error_type = error_type
        self.code = code

    def within(self, where: str) -> "OtaError":
        """The same refusal, saying where in the message it was found."""
        return OtaError(f"{where}: {self}", self.error_type, self.code)


def missing(what: str) -> OtaError:
    return OtaError(f"{what} is missing.", EWT_REQUIRED_FIELD_MISSING, ERR_REQUIRED_FIELD_MISSING)


def invalid(what: str, value: str, expected: str, code: str = ERR_INVALID_VALUE) -> OtaError:
    return OtaError(f"{what} {value!r} is not {expected}.", EWT_REQUIRED_FIELD_MISSING, code)


def unreadable(message: str) -> OtaError:
    return OtaError(message, EWT_PROTOCOL_VIOLATION, ERR_UNABLE_TO_PROCESS)


@dataclass(frozen=True)
class Document:
    """The OTA_HotelResNotifRQ element; `soap` when it came in a SOAP envelope (the reply goes
    in one too), whose Header is `soap_header`."""

    request: Element
    soap: bool = False
    soap_header: Element | None = None


def load(body: bytes, max_bytes: int) -> Document:
    """The message in `body`; OtaError when it is empty, too large, not well-formed, declares a
    DTD, or is not an OTA_HotelResNotifRQ."""
    if not body.strip():
        raise unreadable("The message is empty.")
    if len(body) > max_bytes:
        raise unreadable(f"The message has {len(body)} bytes; at most {max_bytes} are accepted.")
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as error:
        raise unreadable(f"The message declares a DTD or entities, which are refused ({type(error).__name__}).") \
            from error
    except (ParseError, LookupError, ValueError) as error:
        raise unreadable(f"The message is not well-formed XML: {error}.") from error
    if root.tag == f"{{{SOAP_NAMESPACE}}}Envelope":
        soap_body = child(root, "Body")
        request = next(iter(soap_body), None) if soap_body is not None else None
        if request is None:
            raise unreadable("The SOAP Body holds no message.")
        document = Document(request, soap=True, soap_header=child(root, "Header"))
    else:
        document = Document(root)
    name = local_name(document.request.tag)
    if name != REQUEST:
        raise unreadable(f"The message is a {name}, not an {REQUEST}.")
    return document


def local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [item for item in element if local_name(item.tag) == name]


def child(element: Element | None, *path: str) -> Element | None:
    """The first element along `path` below `element`, or None."""
    for name in path:
        found = children(element, name)
        element = found[0] if found else None
    return element


def descendants(element: Element | None, *path: str) -> list[Element]:
    """Every element along `path` below `element`, in document order."""
    found = [element] if element is not None else []
    for name in path:
        found = [item for parent in found for item in children(parent, name)]
    return found


def attribute(element: Element | None, name: str) -> str | None:
    """The attribute's value without surrounding blanks; None when absent or blank."""
    value = element.get(name) if element is not None else None
    return (value.strip() or None) if value is not None else None


def text(element: Element | None) -> str | None:
    value = element.text if element is not None else None
    return (value.strip() or None) if value is not None else None
