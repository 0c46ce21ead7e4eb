"""The admin pages for preference categories: list, add, edit, deactivate, and who may open them."""
import re

import sqlalchemy as sa

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import service
from guestrel.guests.models import PreferenceCategory

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def category(code) -> PreferenceCategory | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(PreferenceCategory).filter_by(code=code)).one_or_none()


def test_admin_sees_every_category_by_its_label(client, make_staff, login):
    login(make_staff("admin"))

    html = client.get("/admin/preference-categories").get_data(as_text=True)

    for label in ("Food and drink", "Dietary and allergy", "Communication"):
        assert label in html
    assert '<span class="badge badge-critical">Allergy</span>' in html


def test_admin_adds_a_category(client, make_staff, login):
    login(make_staff("admin"))

    assert client.get("/admin/preference-categories/new").status_code == 200
    response = client.post("/admin/preference-categories/new", data={
        "code": "minibar", "name": "Minibar", "sort_order": "15", "active": "y",
    }, follow_redirects=True)

    assert "The category Minibar is added." in response.get_data(as_text=True)
    stored = category("minibar")
    assert (stored.name, stored.sort_order, stored.is_allergy, stored.active) == ("Minibar", 15, False, True)


def test_a_category_code_must_be_new_and_well_formed(client, make_staff, login):
    login(make_staff("admin"))

    taken = client.post("/admin/preference-categories/new", data={"code": "room", "name": "Rooms", "sort_order": "1"})
    malformed = client.post("/admin/preference-categories/new", data={"code": "Mini Bar", "name": "Minibar",
                                                                       "sort_order": "1"})

    assert "Another category already has the code room." in taken.get_data(as_text=True)
    assert "Use lower-case letters, digits and _, starting with a letter." in malformed.get_data(as_text=True)
    assert 'value="Mini Bar"' in malformed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PreferenceCategory).filter_by(name="Minibar")) == 0


def test_admin_deactivates_a_category_and_it_is_no_longer_offered(client, make_staff, login):
    login(make_staff("admin"))
    amenities = category("amenities")
    guest = service.create_guest(SYSTEM, {"full_name": "张伟"})

    response = client.post(f"/admin/preference-categories/{amenities.id}/edit",
                           data={"sort_order": "60", "is_allergy": ""}, follow_redirects=True)
    profile = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert "The category Amenities is saved." in response.get_data(as_text=True)
    assert category("amenities").active is False
    assert re.search(r'<tr class="retired">\s*<td>Amenities</td>', response.get_data(as_text=True))
    select = re.search(r'<select id="category".*?</select>', profile, re.S).group(0)
    assert 'value="amenities"' not in select and 'value="room"' in select


def test_admin_renames_and_reorders_a_category_they_added(client, make_staff, login):
    login(make_staff("admin"))
    client.post("/admin/preference-categories/new", data={"code": "minibar", "name": "Minibar", "sort_order": "15",
                                                          "active": "y"})
    minibar = category("minibar")

    client.post(f"/admin/preference-categories/{minibar.id}/edit",
                data={"name": "Minibar and snacks", "sort_order": "5", "is_allergy": "y", "active": "y"})

    stored = category("minibar")
    assert (stored.name, stored.sort_order, stored.is_allergy, stored.active) == ("Minibar and snacks", 5, True, True)


def test_a_default_category_keeps_its_name(client, make_staff, login):
    login(make_staff("admin"))
    room = category("room")

    page = client.get(f"/admin/preference-categories/{room.id}/edit").get_data(as_text=True)
    client.post(f"/admin/preference-categories/{room.id}/edit",
                data={"name": "Chambers", "sort_order": "1", "active": "y"})

    assert 'name="name"' not in page
    assert (category("room").name, category("room").sort_order) == ("Room", 1)


def test_only_category_admins_open_the_category_pages(client, hotels, make_staff, login):
    login(make_staff("manager", properties=[hotels[0]]))

    assert client.get("/admin/preference-categories").status_code == 403
    assert client.post("/admin/preference-categories/new", data={"code": "x1", "name": "X"}).status_code == 403
    assert category("x1") is None
