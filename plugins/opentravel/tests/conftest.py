"""The core's fixtures (an app on SQLite, and on PostgreSQL when configured; its hotels), an
opentravel connection for the Shanghai hotel, and helpers to post messages as a channel
manager does and read its OTA_HotelResNotifRS."""
import base64
import pathlib
from xml.etree import ElementTree

import pytest

from guestrel.auth.service import OPERATOR
from guestrel.sync import connections
from tests.conftest import app, client, database_url, hotels, make_app  # noqa: F401  (fixtures used here)

DATA = pathlib.Path(__file__).parent / "data"
HOTEL_CODE = "SHBUND"
USERNAME = "cm-shbund"
PASSWORD = "Bund!Carrot-Juice-2026"
SETTINGS = {"hotel_code": HOTEL_CODE, "username": USERNAME, "password": PASSWORD}
OTA = "{http://www.opentravel.org/OTA/2003/05}"
SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def basic_auth(username=USERNAME, password=PASSWORD) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def connection(hotels):
    return connections.create_connection(OPERATOR, {
        "adapter": "opentravel", "property_code": "SHA", "name": "Channel manager", "settings": SETTINGS,
    }).connection


def post(client, connection, body: bytes, headers=None, token=None):
    return client.post(f"/inbound/{connection.id}/{token or connection.inbound_token}", data=body,
                       content_type="text/xml; charset=utf-8", headers=headers or {})


def answer(response) -> ElementTree.Element:
    """The OTA_HotelResNotifRS of a reply, out of its SOAP envelope when it came in one."""
    assert response.content_type == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.data)
    if root.tag == f"{SOAP}Envelope":
        root = root.find(f"{SOAP}Body/{OTA}OTA_HotelResNotifRS")
    assert root.tag == f"{OTA}OTA_HotelResNotifRS"
    return root


def errors(response) -> list[tuple[str, str, str]]:
    """(Type, Code, text) of each Error in the reply."""
    return [(error.get("Type"), error.get("Code"), error.text)
            for error in answer(response).findall(f"{OTA}Errors/{OTA}Error")]


def succeeded(response) -> bool:
    return answer(response).find(f"{OTA}Success") is not None
