"""Bad input to the guests API: every refusal is a 4xx with a message a person can act on, and
nothing is written."""
import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId, GuestSearchTerm, Preference, SpecialDate


@pytest.fixture
def writer(make_api_key):
    return make_api_key("guests:write")


@pytest.fixture
def guest(client, writer):
    response = client.post("/api/v1/guests", json={"given_name": "Anna", "phone": "+49 30 1234567"}, headers=writer)
    return response.get_json()


def row_counts():
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Guest, GuestExternalId, GuestSearchTerm, Preference, SpecialDate, AuditEntry)
    }


@pytest.fixture
def unchanged():
    """Asserts, after the test's request, that the database holds what it held before."""
    before = row_counts()
    yield
    db.session.expire_all()
    assert row_counts() == before


def field_errors(response) -> dict:
    return response.get_json()["errors"]["json"]


def test_malformed_json_is_a_400_with_a_message(client, writer, unchanged):
    response = client.post("/api/v1/guests", data='{"given_name": "Anna",', headers=writer,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "The request body is not valid JSON."


def test_a_body_that_is_not_an_object_is_refused(client, writer, unchanged):
    response = client.post("/api/v1/guests", json=["Anna"], headers=writer)
    assert response.status_code == 422
    assert response.get_json()["message"]


@pytest.mark.parametrize("body, field, message", [
    ({"given_name": 42}, "given_name", "Not a valid string."),
    ({"given_name": "Anna", "birthday": "2023-02-30"}, "birthday", "Not a valid date."),
    ({"given_name": "Anna", "birthday": "2999-01-01"}, "birthday", "This date is in the future."),
    ({"given_name": "Anna", "anniversary": "1899-12-31"}, "anniversary", "Enter a date in 1900 or later."),
    ({"given_name": "Anna", "phone": "12345"}, "phone", "This is not a valid phone number."),
    ({"given_name": "Anna", "phone": "call me"}, "phone", "This is not a valid phone number."),
    ({"given_name": "Anna", "email": "anna@"}, "email", "This is not a valid e-mail address."),
    ({"given_name": "Anna", "nationality": "XY"}, "nationality", "Use a two-letter country code such as CN or US."),
    ({"given_name": "Anna", "language": "klingon-ish"}, "language", "Use a language tag such as en or zh-CN."),
    ({"given_name": "Anna", "account_owner_id": 999999}, "account_owner_id", "Choose a staff member as the account owner."),
    ({"given_name": "Anna", "account_owner_id": "7"}, "account_owner_id", "Not a valid integer."),
    ({"given_name": "A" * 101}, "given_name", "Longer than maximum length 100."),
    ({"given_name": "Anna", "vip_code": "V" * 21}, "vip_code", "Longer than maximum length 20."),
    ({"given_name": "Anna", "shoe_size": 44}, "shoe_size", "Unknown field."),
    ({"given_name": " ", "family_name": None}, "given_name", "Enter the guest's name."),
    ({"given_name": "Anna", "external_ids": [{"system": "opera"}]}, "external_ids", None),
])
def test_invalid_guest_fields_are_refused_with_a_message_per_field(client, writer, unchanged, body, field, message):
    response = client.post("/api/v1/guests", json=body, headers=writer)

    assert response.status_code == 422
    assert field in response.get_json()["message"]
    errors = field_errors(response)
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


def test_a_patch_with_a_bad_value_changes_nothing(client, writer, guest, unchanged):
    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"given_name": "Anne", "phone": "000"},
                            headers={**writer, "If-Match": '"1"'})
    assert response.status_code == 422
    assert list(field_errors(response)) == ["phone"]
    stored = db.session.get(Guest, guest["id"])
    assert (stored.given_name, stored.version) == ("Anna", 1)


def test_external_ids_cannot_be_patched_on_the_guest(client, writer, guest, unchanged):
    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"external_ids": []},
                            headers={**writer, "If-Match": '"1"'})
    assert response.status_code == 422
    assert field_errors(response) == {"external_ids": ["Unknown field."]}


def test_a_patch_removing_every_name_is_refused(client, writer, guest, unchanged):
    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"given_name": None},
                            headers={**writer, "If-Match": '"1"'})
    assert response.status_code == 422
    assert field_errors(response) == {"given_name": ["Enter the guest's name."]}


@pytest.mark.parametrize("body, field", [
    ({"value": "Carrot juice"}, "category"),
    ({"category": "food_and_drink"}, "value"),
    ({"category": "food_and_drink", "value": ""}, "value"),
    ({"category": "no_such_category", "value": "Carrot juice"}, "category"),
    ({"category": "food_and_drink", "value": "x" * 201}, "value"),
    ({"category": "food_and_drink", "value": "Tea", "priority": "urgent"}, "priority"),
    ({"category": "food_and_drink", "value": "Tea", "source": "rumour"}, "source"),
    ({"category": "food_and_drink", "value": "Tea", "alert_at_check_in": "sometimes"}, "alert_at_check_in"),
    ({"category": "food_and_drink", "value": "Tea", "colour": "green"}, "colour"),
])
def test_invalid_preferences_are_refused_with_a_message_per_field(client, writer, guest, unchanged, body, field):
    response = client.post(f"/api/v1/guests/{guest['id']}/preferences", json=body, headers=writer)
    assert response.status_code == 422
    assert field in field_errors(response)
    assert response.get_json()["message"]


def test_a_preference_for_an_unknown_guest_is_a_404(client, writer, unchanged):
    response = client.post("/api/v1/guests/999999/preferences", json={"category": "room", "value": "Quiet"},
                           headers=writer)
    assert response.status_code == 404


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("after=-1", "after"),
    ("phone=not-a-number", "phone"),
])
def test_invalid_search_parameters_are_refused(client, writer, unchanged, query, field):
    response = client.get(f"/api/v1/guests?{query}", headers=writer)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]
    assert response.get_json()["message"]


def test_an_oversized_body_is_refused_with_413_json(make_app, make_api_key):
    app = make_app(MAX_CONTENT_LENGTH=2048)
    with app.app_context():
        headers = make_api_key("guests:write")
        before = row_counts()
        response = app.test_client().post("/api/v1/guests", json={"given_name": "Anna", "notes": "x" * 4096},
                                          headers=headers)
        assert response.status_code == 413
        assert response.is_json and response.get_json()["code"] == 413
        assert row_counts() == before


def test_notes_longer_than_the_limit_are_refused(client, writer, unchanged):
    response = client.post("/api/v1/guests", json={"given_name": "Anna", "notes": "x" * 10_001}, headers=writer)
    assert response.status_code == 422
    assert list(field_errors(response)) == ["notes"]
