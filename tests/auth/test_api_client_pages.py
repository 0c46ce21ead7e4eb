"""API client administration in the browser: the key shown once, the list, revoking."""
import re

import pytest

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import ApiClient
from guestrel.auth.permissions import PERMISSIONS
from guestrel.extensions import db

KEY_PATTERN = re.compile(r"grl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def _clients():
    db.session.expire_all()
    return db.session.execute(db.select(ApiClient).order_by(ApiClient.id)).scalars().all()


def _create(client, **data):
    form = {"name": "Opera PMS Shanghai", "scopes": ["staff:admin", "guests:read"], "properties": ["SHA"]}
    form.update(data)
    return client.post("/admin/api-clients/new", data=form)


@pytest.mark.parametrize("url", ["/admin/api-clients", "/admin/api-clients/new"])
def test_api_client_pages_are_for_admins_only(client, make_staff, login, url):
    assert client.get(url).headers["Location"].startswith("/login")
    login(make_staff("manager"))

    assert client.get(url).status_code == 403


def test_the_form_offers_every_scope_as_a_checkbox_with_its_description(client, hotels, make_staff, login):
    login(make_staff("admin"))

    page = client.get("/admin/api-clients/new").text

    for scope, description in PERMISSIONS.items():
        assert f'type="checkbox" value="{scope}"' in page
        assert description.replace("'", "&#39;") in page
    assert "SHA · Shanghai Bund" in page


def test_creating_a_client_shows_its_working_key_once(client, hotels, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    response = _create(client)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Copy the key now." in response.text
    key = KEY_PATTERN.search(response.text).group(0)
    [stored] = _clients()
    assert (stored.name, stored.scopes, stored.created_by_id) == ("Opera PMS Shanghai", ["guests:read", "staff:admin"], admin.id)
    assert [p.code for p in stored.properties] == ["SHA"]
    assert key not in stored.key_hash
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    detail = client.get(f"/admin/api-clients/{stored.id}").text
    listing = client.get("/admin/api-clients").text
    assert key not in detail and key not in listing
    assert KEY_PATTERN.search(detail) is None
    assert f"grl_{stored.key_prefix}_…" in detail


def test_creating_a_client_is_audited_without_the_key(client, hotels, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    key = KEY_PATTERN.search(_create(client).text).group(0)

    [entry] = db.session.execute(db.select(AuditEntry).filter_by(entity_type="api_client")).scalars().all()
    assert (entry.action, entry.staff_id, entry.entity_id) == ("create", admin.id, _clients()[0].id)
    assert entry.changes == {
        "name": [None, "Opera PMS Shanghai"],
        "properties": [None, ["SHA"]],
        "scopes": [None, ["guests:read", "staff:admin"]],
    }
    assert key not in str(entry.changes)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"scopes": []}, "Choose at least one scope."),
        ({"scopes": ["guests:read", "root"]}, "not a valid choice"),
        ({"properties": ["XXX"]}, "not a valid choice"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_client_form_with_errors_creates_nothing(client, hotels, make_staff, login, data, message):
    login(make_staff("admin"))

    response = _create(client, **data)

    assert response.status_code == 200
    assert message in response.text
    assert KEY_PATTERN.search(response.text) is None
    assert _clients() == []


def test_the_list_shows_scopes_properties_creator_use_and_revocation(client, hotels, make_staff, make_api_key, login):
    admin = make_staff("admin")
    login(admin)
    _create(client, name="Opera PMS")
    key_headers = make_api_key("properties:read", name="Channel manager")
    client.get("/api/v1/staff", headers=key_headers)
    channel = _clients()[1]
    channel.revoked_at = channel.created_at
    db.session.commit()

    page = client.get("/admin/api-clients").text

    opera_row, channel_row = (re.search(rf"<tr[^>]*>\s*<td><a[^>]*>{name}</a>.*?</tr>", page, re.S).group(0)
                              for name in ("Opera PMS", "Channel manager"))
    assert "<code>staff:admin</code>" in opera_row and '<span class="badge">SHA</span>' in opera_row
    assert admin.name in opera_row and "Never" in opera_row
    assert "Whole chain" in channel_row and "Never" not in channel_row
    assert 'class="retired"' in channel_row


def test_revoking_asks_first_and_then_the_key_gets_401(client, hotels, make_staff, login):
    login(make_staff("admin"))
    key = KEY_PATTERN.search(_create(client).text).group(0)
    stored = _clients()[0]
    headers = {"Authorization": f"Bearer {key}"}

    confirmation = client.get(f"/admin/api-clients/{stored.id}/revoke")
    assert confirmation.status_code == 200
    assert "Yes, revoke it" in confirmation.text
    assert _clients()[0].revoked_at is None
    assert client.get("/api/v1/staff", headers=headers).status_code == 200

    response = client.post(f"/admin/api-clients/{stored.id}/revoke")

    assert response.status_code == 302
    assert _clients()[0].revoked_at is not None
    assert "Revoked on" in client.get(response.headers["Location"]).text
    denied = client.get("/api/v1/staff", headers=headers)
    assert denied.status_code == 401
    assert denied.json["code"] == 401
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="revoke")).scalars().all()
    assert (entry.entity_type, entry.entity_id) == ("api_client", stored.id)


def test_an_unknown_client_is_not_found(client, make_staff, login):
    login(make_staff("admin"))

    assert client.get("/admin/api-clients/424242").status_code == 404
    assert client.post("/admin/api-clients/424242/revoke").status_code == 404
