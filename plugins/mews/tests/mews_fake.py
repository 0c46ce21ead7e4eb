"""A Mews stand-in on pytest-httpserver answering the Connector API operations the adapter uses,
with Mews's published response shapes (tests/data)."""
import json
import pathlib
import time
import uuid
from datetime import datetime, timezone

from werkzeug import Response

DATA = pathlib.Path(__file__).parent / "data"
API = "/api/connector/v1/"
ENTERPRISE_ID = "851df8c8-90f2-4c4a-8e01-a4fc46b25178"
INTEGRATION_ID = "c8bee838-7fb1-4f4e-8fac-ac87008b2f90"
# Mews's public demo tokens (docs: Environments): they must never appear in an error message.
CLIENT_TOKEN = "E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D"
ACCESS_TOKEN = "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D"
RESERVATIONS = "reservations/getAll/2023-06-06"


def load(name: str):
    return json.loads((DATA / name).read_text())


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value)


def iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def settings(base_url: str, **changes) -> dict:
    return {"base_url": base_url, "client_token": CLIENT_TOKEN, "access_token": ACCESS_TOKEN, "client": "guestrel test",
            "enterprise_id": ENTERPRISE_ID, "integration_id": INTEGRATION_ID, "timezone": "Asia/Shanghai"} | changes


class FakeMews:
    """Holds reservations and customers and answers getAll by ids or by UpdatedUtc window with
    cursor paging, as Mews does. `script(operation, response, ...)` makes the next calls of an
    operation answer those responses (an error, a slow answer) before the normal one."""

    def __init__(self, server):
        self.server = server
        self.reservations = []
        self.customers = {}
        self.scripted = {}
        # Recorded here rather than read from the server's log, which a slow answer of the
        # previous test can still add to.
        self.requests = []
        self.lookups = {
            "resources/getAll": ("Resources", "ResourceIds", load("resources.json")["Resources"]),
            "resourceCategories/getAll": ("ResourceCategories", "ResourceCategoryIds",
                                          load("resource_categories.json")["ResourceCategories"]),
            "rates/getAll": ("Rates", "RateIds", load("rates.json")["Rates"]),
            "ageCategories/getAll": ("AgeCategories", "AgeCategoryIds", load("age_categories.json")["AgeCategories"]),
        }
        handlers = {RESERVATIONS: self._reservations, "customers/getAll": self._customers,
                    "customers/update": self._update_customer,
                    "configuration/get": lambda body: load("configuration.json")}
        handlers |= {operation: self._lookup(operation) for operation in self.lookups}
        for operation, handler in handlers.items():
            server.expect_request(API + operation, method="POST").respond_with_handler(self._handle(operation, handler))
        self.url = server.url_for("/").rstrip("/")

    def _handle(self, operation, handler):
        def respond(request):
            body = json.loads(request.get_data())
            self.requests.append((operation, body))
            queued = self.scripted.get(operation)
            if queued:
                answer = queued.pop(0)
                return answer if isinstance(answer, Response) else answer()
            if (body.get("ClientToken"), body.get("AccessToken")) != (CLIENT_TOKEN, ACCESS_TOKEN):
                return Response(json.dumps(load("error_unauthorized.json")), 401, content_type="application/json")
            return Response(json.dumps(handler(body)), 200, content_type="application/json")
        return respond

    def script(self, operation, *answers):
        self.scripted.setdefault(operation, []).extend(answers)

    def add_customer(self, **changes) -> dict:
        customer = load("customer.json") | changes
        self.customers[customer["Id"]] = customer
        return customer

    def add_reservation(self, **changes) -> dict:
        reservation = load("reservation.json") | {"Id": str(uuid.uuid4())} | changes
        self.reservations.append(reservation)
        return reservation

    def _reservations(self, body):
        found = sorted(self.reservations, key=lambda item: (item["UpdatedUtc"], item["Id"]))
        if "ReservationIds" in body:
            found = [item for item in found if item["Id"] in body["ReservationIds"]]
        if "UpdatedUtc" in body:
            start, end = utc(body["UpdatedUtc"]["StartUtc"]), utc(body["UpdatedUtc"]["EndUtc"])
            found = [item for item in found if start <= utc(item["UpdatedUtc"]) < end]
        found = [item for item in found if item["State"] in body["States"]]
        return self._page(found, body["Limitation"], "Reservations")

    @staticmethod
    def _page(items, limitation, key):
        cursor = limitation.get("Cursor")
        if cursor is not None:
            items = items[[item["Id"] for item in items].index(cursor) + 1:]
        page = items[:limitation["Count"]]
        return {key: page, "Cursor": page[-1]["Id"] if page else None}

    def _customers(self, body):
        found = [self.customers[key] for key in body["CustomerIds"] if key in self.customers]
        return self._page(found, body["Limitation"], "Customers")

    def _update_customer(self, body):
        customer = self.customers[body["CustomerId"]]
        customer.update({key: value for key, value in body.items() if key in customer and value is not None})
        return customer

    def _lookup(self, operation):
        key, id_filter, records = self.lookups[operation]

        def answer(body):
            return self._page([item for item in records if item["Id"] in body[id_filter]], body["Limitation"], key)
        return answer

    def bodies(self, operation) -> list[dict]:
        """The JSON bodies of the calls of `operation`, in order."""
        return [body for called, body in self.requests if called == operation]


def error(status: int, message: str = "Something went wrong.", headers=None) -> Response:
    return Response(json.dumps({"Message": message, "Details": None}), status, headers=headers,
                    content_type="application/json")


def slow(seconds: float):
    def answer():
        time.sleep(seconds)
        return Response("{}", 200, content_type="application/json")
    return answer
