"""The OTA_HotelResNotifRS answering a message: Success, echoing the ids of the reservations it
acknowledges, or Errors with an OTA error Type and Code. It echoes the request's EchoToken and
Version; its TimeStamp is its own creation time, as OTA defines the attribute. A request that came
in a SOAP envelope is answered in one, with an empty Header (as pmsXchange expects)."""
from datetime import datetime, timezone
from xml.etree.ElementTree import Element, SubElement, tostring

from guestrel_opentravel.document import OTA_NAMESPACE, Document, attribute, children, descendants

RESPONSE = "OTA_HotelResNotifRS"
DEFAULT_VERSION = "1.0"
SOAP_ENVELOPE = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
    "<SOAP-ENV:Header/><SOAP-ENV:Body>{}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
)


def _ota(parent: Element | None, name: str, **attributes) -> Element:
    values = {key: value for key, value in attributes.items() if value is not None}
    return Element(name, values) if parent is None else SubElement(parent, name, values)


def _response(document: Document | None) -> Element:
    request = document.request if document is not None else None
    # The namespace as a plain attribute: ElementTree's default_namespace refuses unqualified
    # attribute names, and OTA's attributes are all unqualified.
    return _ota(None, RESPONSE, xmlns=OTA_NAMESPACE, EchoToken=attribute(request, "EchoToken"),
                TimeStamp=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                Version=attribute(request, "Version") or DEFAULT_VERSION)


def _serialise(response: Element, document: Document | None) -> bytes:
    xml = tostring(response, encoding="unicode")
    if document is not None and document.soap:
        xml = SOAP_ENVELOPE.format(xml)
    return ('<?xml version="1.0" encoding="utf-8"?>' + xml).encode()


def success(document: Document | None) -> bytes:
    """Success, with each HotelReservation's UniqueIDs and HotelReservationIDs as received."""
    response = _response(document)
    _ota(response, "Success")
    reservations = descendants(document.request if document else None, "HotelReservations", "HotelReservation")
    if reservations:
        echoed = _ota(response, "HotelReservations")
        for reservation in reservations:
            item = _ota(echoed, "HotelReservation")
            for unique_id in children(reservation, "UniqueID"):
                _ota(item, "UniqueID", Type=attribute(unique_id, "Type"), ID=attribute(unique_id, "ID"))
            references = descendants(reservation, "ResGlobalInfo", "HotelReservationIDs", "HotelReservationID")
            if references:
                ids = _ota(_ota(item, "ResGlobalInfo"), "HotelReservationIDs")
                for reference in references:
                    _ota(ids, "HotelReservationID", ResID_Type=attribute(reference, "ResID_Type"),
                         ResID_Value=attribute(reference, "ResID_Value"))
    return _serialise(response, document)


def errors(document: Document | None, error_type: str, code: str, message: str) -> bytes:
    response = _response(document)
    _ota(_ota(response, "Errors"), "Error", Type=error_type, Code=code).text = message
    return _serialise(response, document)
