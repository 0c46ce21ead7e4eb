"""GET /api/v1/audit: the answer's shape, scoping, pagination, validation and permissions."""
import pytest

from guestrel.audit import service as audit
from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import Principal
from guestrel.extensions import db

GUEST = 77


@pytest.fixture
def entries(hotels, make_staff):
    """A SHA change by SHA staff, an HGH change by HGH staff, a chain-wide view by each."""
    sha, hgh = hotels
    sha_desk = make_staff("front_desk", properties=[sha])
    hgh_desk = make_staff("front_desk", properties=[hgh])
    recorded = {
        "sha_change": audit.record(
            Principal.for_staff(sha_desk), "update", "preference", 10, guest_id=GUEST, property_id=sha.id,
            changes={"text": ["Carrot juice", "Carrot juice, no ice"]},
        ),
        "hgh_change": audit.record(
            Principal.for_staff(hgh_desk), "update", "preference", 11, guest_id=GUEST, property_id=hgh.id,
            changes={"text": ["Green tea", "Longjing tea"]},
        ),
        "sha_view": audit.record(Principal.for_staff(sha_desk), "view", "guest", GUEST, guest_id=GUEST),
        "hgh_view": audit.record(Principal.for_staff(hgh_desk), "view", "guest", GUEST, guest_id=GUEST),
    }
    db.session.commit()
    return {name: entry.id for name, entry in recorded.items()}, sha_desk


def _ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_chain_wide_client_reads_the_whole_trail_in_the_documented_shape(client, entries, make_api_key):
    ids, sha_desk = entries

    response = client.get("/api/v1/audit", headers=make_api_key("audit:read"))

    assert _ids(response) == [ids["hgh_view"], ids["sha_view"], ids["hgh_change"], ids["sha_change"]]
    assert response.json["next_before"] is None
    item = response.json["items"][3]
    assert item == {
        "id": ids["sha_change"],
        "at": item["at"],
        "actor": {"type": "staff", "id": sha_desk.id, "name": sha_desk.name},
        "action": "update",
        "entity_type": "preference",
        "entity_id": 10,
        "guest_id": GUEST,
        "property_code": "SHA",
        "changes": {"text": ["Carrot juice", "Carrot juice, no ice"]},
        "remote_addr": None,
    }
    assert item["at"].endswith("+00:00")


def test_entries_made_through_the_api_name_the_client_and_its_address(client, hotels, make_api_key):
    client.post(
        "/api/v1/properties",
        json={"code": "CTU", "name": "Chengdu", "timezone": "Asia/Shanghai", "currency": "CNY"},
        headers=make_api_key("properties:write", name="Chain PMS"),
    )

    [item] = client.get("/api/v1/audit", headers=make_api_key("audit:read")).json["items"]

    assert item["actor"]["type"] == "api_client"
    assert item["actor"]["name"] == "Chain PMS"
    assert item["property_code"] == "CTU"
    assert item["remote_addr"] == "127.0.0.1"
    assert item["changes"]["code"] == [None, "CTU"]


def test_client_bound_to_sha_reads_only_what_sha_may_see(client, entries, hotels, make_api_key):
    ids, _ = entries
    headers = make_api_key("audit:read", properties=[hotels[0]])

    assert _ids(client.get("/api/v1/audit", headers=headers)) == [ids["sha_view"], ids["sha_change"]]
    guest_trail = client.get(f"/api/v1/audit?guest_id={GUEST}", headers=headers)
    assert _ids(guest_trail) == [ids["hgh_view"], ids["sha_view"], ids["sha_change"]]


def test_filters_are_applied(client, entries, make_api_key):
    ids, sha_desk = entries
    headers = make_api_key("audit:read")

    assert _ids(client.get("/api/v1/audit?action=update&entity_type=preference", headers=headers)) == [
        ids["hgh_change"], ids["sha_change"]
    ]
    assert _ids(client.get(f"/api/v1/audit?staff_id={sha_desk.id}&action=view", headers=headers)) == [
        ids["sha_view"]
    ]
    assert _ids(client.get("/api/v1/audit?guest_id=999999", headers=headers)) == []


def test_following_next_before_walks_the_trail_without_duplicates_or_gaps(client, hotels, make_api_key):
    sha, _ = hotels
    for number in range(7):
        audit.record(None, "update", "guest", number, property_id=sha.id)
    db.session.commit()
    all_ids = db.session.execute(db.select(AuditEntry.id).order_by(AuditEntry.id.desc())).scalars().all()
    headers = make_api_key("audit:read")

    seen, url = [], "/api/v1/audit?limit=3"
    while url:
        answer = client.get(url, headers=headers).json
        assert len(answer["items"]) <= 3
        seen += [item["id"] for item in answer["items"]]
        url = answer["next_before"] and f"/api/v1/audit?limit=3&before={answer['next_before']}"

    assert seen == all_ids


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("before=0", "before"),
        ("guest_id=abc", "guest_id"),
        ("staff_id=-3", "staff_id"),
        ("action=steal", "action"),
        ("entity_type=" + "x" * 41, "entity_type"),
        ("guestid=5", "guestid"),
    ],
)
def test_invalid_query_parameters_are_422(client, entries, make_api_key, query, field):
    response = client.get(f"/api/v1/audit?{query}", headers=make_api_key("audit:read"))

    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_reading_needs_the_audit_scope(client, entries, make_api_key):
    assert client.get("/api/v1/audit").status_code == 401
    response = client.get("/api/v1/audit", headers=make_api_key("guests:write", "properties:write"))
    assert response.status_code == 403


def test_reading_the_trail_is_not_audited(client, entries, make_api_key):
    count = db.select(db.func.count()).select_from(AuditEntry)
    before = db.session.execute(count).scalar()

    client.get("/api/v1/audit", headers=make_api_key("audit:read"))
    client.get(f"/api/v1/audit?guest_id={GUEST}", headers=make_api_key("audit:read"))

    assert db.session.execute(count).scalar() == before
