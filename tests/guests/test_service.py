"""The guests services as the browser pages use them: staff principals, roles and hotels, the
exceptions they raise, and a concurrent write between reading and saving."""
from datetime import date

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.guests.models import Guest, Preference, PreferenceCategory


def staff_principal(make_staff, role, properties=()):
    return Principal.for_staff(make_staff(role, properties=list(properties)))


@pytest.fixture
def manager(make_staff):
    return staff_principal(make_staff, "admin")


@pytest.fixture
def guest(manager):
    return service.create_guest(manager, {"given_name": "Wei", "family_name": "Zhang", "email": "wei@example.com"})


def test_a_write_between_reading_and_saving_is_a_conflict_not_an_overwrite(manager, guest):
    service.get_guest(manager, guest.id, audit_view=False)
    # Another process saves the guest while this session still holds version 1.
    with db.engine.connect() as other:
        other.execute(sa.update(Guest.__table__).where(Guest.id == guest.id)
                      .values(company="Changed elsewhere", version=Guest.__table__.c.version + 1))
        other.commit()

    with pytest.raises(service.ConflictError) as refused:
        service.update_guest(manager, guest.id, 1, {"company": "Mine"})

    assert refused.value.status == 412
    assert "changed by someone else" in refused.value.message
    db.session.expire_all()
    stored = db.session.get(Guest, guest.id)
    assert (stored.company, stored.version) == ("Changed elsewhere", 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "update")) == 0


def test_invalid_data_names_every_refused_field(manager):
    with pytest.raises(service.InvalidDataError) as refused:
        service.create_guest(manager, {"given_name": "Wei", "phone": "1", "email": "nope", "birthday": date(1850, 1, 1)})
    assert set(refused.value.errors) == {"phone", "email", "birthday"}
    assert refused.value.field in refused.value.errors
    assert refused.value.message == refused.value.errors[refused.value.field][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest)) == 0


def test_values_are_stored_in_their_usual_spelling(manager):
    guest = service.create_guest(manager, {
        "given_name": "Søren", "email": "Søren@Example.DK", "phone": "+45 32 12 34 56",
        "language": "zh-hans-cn", "nationality": "dk", "anniversary": "2001-09-09",
    })
    assert (guest.email, guest.phone, guest.language, guest.nationality, guest.anniversary) == (
        "søren@example.dk", "+4532123456", "zh-Hans-CN", "DK", date(2001, 9, 9)
    )
    assert [g.id for g in service.search_guests(manager, q="soren").items] == [guest.id]


def test_staff_preferences_are_recorded_as_staff_by_the_staff_member(make_staff, hotels, guest):
    shanghai, _hangzhou = hotels
    front_desk = make_staff("front_desk", properties=[shanghai])
    principal = Principal.for_staff(front_desk)

    preference = preference_service.add_preference(principal, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice", "property_code": "SHA",
    })

    assert (preference.source, preference.recorded_by_staff_id, preference.recorded_by_client_id) == (
        "staff", front_desk.id, None
    )
    assert preference.scope_property.code == "SHA"


def test_staff_of_one_hotel_neither_see_nor_record_another_hotels_preferences(make_staff, hotels, manager, guest):
    shanghai, hangzhou = hotels
    shanghai_desk = staff_principal(make_staff, "front_desk", [shanghai])
    hangzhou_desk = staff_principal(make_staff, "front_desk", [hangzhou])
    bund_view = preference_service.add_preference(shanghai_desk, guest.id, {
        "category": "floor_and_view", "value": "Bund view", "property_code": "SHA",
    })
    preference_service.add_preference(manager, guest.id, {"category": "room", "value": "Quiet room"})

    assert [p.value for p in preference_service.list_preferences(hangzhou_desk, guest.id)] == ["Quiet room"]
    assert [p.value for p in preference_service.list_preferences(manager, guest.id)] == ["Quiet room", "Bund view"]
    with pytest.raises(service.NotFoundError):
        preference_service.get_preference(hangzhou_desk, guest.id, bund_view.id)
    with pytest.raises(service.PermissionDeniedError):
        preference_service.add_preference(hangzhou_desk, guest.id, {
            "category": "room", "value": "Twin beds", "property_code": "SHA",
        })
    with pytest.raises(service.PermissionDeniedError):
        preference_service.update_preference(shanghai_desk, guest.id, bund_view.id, 1, {"property_code": "HGH"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Preference)) == 2


def test_housekeeping_reads_preferences_but_neither_writes_nor_sees_dates(make_staff, hotels, manager, guest):
    housekeeping = staff_principal(make_staff, "housekeeping", [hotels[0]])
    preference_service.add_preference(manager, guest.id, {"category": "room", "value": "Extra towels"})
    service.add_special_date(manager, guest.id, {"kind": "birthday", "date": date(1980, 5, 17)})

    assert [p.value for p in preference_service.list_preferences(housekeeping, guest.id)] == ["Extra towels"]
    assert not service.can_see_contact(housekeeping)
    with pytest.raises(service.PermissionDeniedError):
        service.list_special_dates(housekeeping, guest.id)
    with pytest.raises(service.PermissionDeniedError):
        service.update_guest(housekeeping, guest.id, 1, {"given_name": "X"})
    with pytest.raises(service.PermissionDeniedError):
        preference_service.add_preference(housekeeping, guest.id, {"category": "room", "value": "X"})


def test_retired_preferences_cannot_be_changed_and_retiring_twice_changes_nothing(manager, guest):
    preference = preference_service.add_preference(manager, guest.id, {"category": "room", "value": "High floor"})
    retired = preference_service.retire_preference(manager, guest.id, preference.id)
    retired_at = retired.retired_at

    again = preference_service.retire_preference(manager, guest.id, preference.id)

    assert again.retired_at == retired_at
    with pytest.raises(service.InvalidDataError) as refused:
        preference_service.update_preference(manager, guest.id, preference.id, again.version, {"value": "Low floor"})
    assert refused.value.field is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "retire")) == 1


def test_an_update_that_changes_nothing_keeps_the_version_and_writes_no_audit(manager, guest):
    updated = service.update_guest(manager, guest.id, 1, {"given_name": "Wei", "email": "WEI@example.com"})
    assert updated.version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "update")) == 0


def test_category_administration_needs_its_own_permission(make_staff, hotels):
    desk = staff_principal(make_staff, "manager", [hotels[0]])
    with pytest.raises(service.PermissionDeniedError):
        preference_service.create_category(desk, {"code": "minibar", "name": "Minibar"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PreferenceCategory)) == 10


def test_category_labels_name_the_defaults_and_fall_back_to_the_stored_name(manager):
    categories = preference_service.list_categories(manager)
    assert [preference_service.category_label(c) for c in categories][:3] == ["Food and drink", "Room", "Bed and pillow"]
    minibar = preference_service.create_category(manager, {"code": "Minibar", "name": "Minibar items", "sort_order": 5})
    assert minibar.code == "minibar"
    assert preference_service.category_label(minibar) == "Minibar items"
    assert preference_service.list_categories(manager)[0].code == "minibar"
    with pytest.raises(service.InvalidDataError) as refused:
        preference_service.create_category(manager, {"code": "9 lives", "name": "Cats"})
    assert refused.value.field == "code"


def test_company_and_account_owner_are_contact_details_hidden_without_the_contact_permission():
    assert {"company", "account_owner_id"} <= set(service.CONTACT_FIELDS)


def test_without_the_contact_permission_guests_are_not_found_by_their_contact_details(
    make_staff, hotels, manager, guest
):
    service.update_guest(manager, guest.id, 1, {"phone": "+86 138 0013 8000"})
    housekeeping = staff_principal(make_staff, "housekeeping", [hotels[0]])

    for criteria in ({"q": "wei@example.com"}, {"q": "Zhang wei@example.com"}, {"email": "wei@example.com"},
                     {"phone": "+86 138 0013 8000"}):
        with pytest.raises(service.PermissionDeniedError):
            service.search_guests(housekeeping, **criteria)
    assert [g.id for g in service.search_guests(housekeeping, q="zhang wei").items] == [guest.id]
    assert [g.id for g in service.search_guests(manager, q="wei@example.com").items] == [guest.id]
