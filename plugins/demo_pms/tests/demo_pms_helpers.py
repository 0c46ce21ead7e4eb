"""Building demo PMS adapters on a clock the test sets, and polling them until caught up."""
from collections import defaultdict
from datetime import datetime, timezone

from guestrel.plugins.plugin_api import ReservationUpserted, TimeoutSession
from guestrel_demo_pms import DemoPmsAdapter

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
LI_WEI = {"external_id": "DEMO-00000", "given_name": "伟", "family_name": "李", "email": "li.wei@example.com",
          "phone": "+86 138 0013 8000"}
KNOWN_GUESTS = [
    LI_WEI,
    {"external_id": "DEMO-00001", "given_name": "Sarah", "family_name": "Johnson"},
    {"external_id": "DEMO-00002", "given_name": "敏", "family_name": "王", "phone": "+86 139 1234 5678"},
    {"external_id": "DEMO-00003", "given_name": "Jürgen", "family_name": "Weiß", "email": "juergen.weiss@example.com"},
]


def settings(**changes) -> dict:
    return {"hotel_code": "HGH", "hotel_name": "Hangzhou West Lake Hotel", "timezone": "Asia/Shanghai",
            "currency": "CNY", "seed": 7, "guests": KNOWN_GUESTS} | changes


def adapter(now=NOW, **changes) -> DemoPmsAdapter:
    made = DemoPmsAdapter(settings(**changes), TimeoutSession())
    made.now = lambda: now
    return made


def poll_all(made: DemoPmsAdapter, cursor=None, limit=2000) -> tuple[list, str]:
    """Every page's result until the adapter says it is caught up, and the last cursor."""
    results = []
    for _ in range(limit):
        result = made.poll(cursor)
        results.append(result)
        cursor = result.cursor
        if not result.more:
            return results, cursor
    raise AssertionError("the poll never caught up")


def events_of(made: DemoPmsAdapter, results) -> list:
    return [event for result in results if result.body is not None for event in made.parse_page(result.body)]


def by_reservation(events) -> dict:
    """reservation id -> {"reservation": the latest ReservationUpserted, event kind -> events}."""
    found = defaultdict(lambda: defaultdict(list))
    for event in events:
        found[event.reservation_id][type(event).__name__].append(event)
        if isinstance(event, ReservationUpserted):
            found[event.reservation_id]["reservation"] = event
    return found
