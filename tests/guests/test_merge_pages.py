"""The browser side of duplicates: the "Possible duplicates" page, comparing two profiles side by
side, merging them with a choice per differing field, and what a merged profile's page does."""
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import identity, preference_service, service
from guestrel.guests.models import Guest, GuestMatchReview, Preference
from guestrel.stays import service as stay_service

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.fixture
def pair(app):
    """An existing guest, and the profile a channel created for her with a doubtful match."""
    survivor = service.create_guest(SYSTEM, {"given_name": "Anna", "family_name": "Müller",
                                             "email": "anna@example.de", "vip_code": "GOLD"})
    preference_service.add_preference(SYSTEM, survivor.id, {"category": "food_and_drink", "value": "Carrot juice"})
    resolution = identity.resolve(SYSTEM, "booking", {"given_name": "Lena", "family_name": "Müller",
                                                      "email": "anna@example.de", "member_number": "M-77",
                                                      "birthday": "1980-01-02"})
    preference_service.add_preference(SYSTEM, resolution.guest_id, {"category": "room", "value": "High floor"})
    return service.get_guest(SYSTEM, survivor.id, audit_view=False), service.get_guest(
        SYSTEM, resolution.guest_id, audit_view=False)


@pytest.fixture
def manager(hotels, make_staff, login):
    staff = make_staff("manager", properties=[hotels[0]])
    login(staff)
    return staff


def compare_url(survivor, merged):
    return f"/guests/{survivor.id}/merge?other={merged.id}"


def merge_form(survivor, merged, **choices) -> dict:
    return {"survivor_version": survivor.version, "merged_version": merged.version, "confirm": "y",
            "given_name": "survivor", **choices}


@pytest.mark.parametrize("role", ["housekeeping", "front_desk", "marketing"])
def test_staff_without_guests_merge_neither_see_nor_reach_the_duplicates(client, hotels, make_staff, login, pair, role):
    login(make_staff(role, properties=[hotels[0]]))
    survivor, merged = pair

    assert "Possible duplicates" not in client.get("/guests").text
    assert "Merge another profile" not in client.get(f"/guests/{survivor.id}").text
    assert client.get("/guests/duplicates").status_code == 403
    assert client.get(compare_url(survivor, merged)).status_code == 403
    assert client.post(compare_url(survivor, merged), data=merge_form(survivor, merged)).status_code == 403
    assert fresh(Guest, merged.id).merged_into_id is None


def test_a_manager_finds_the_pair_on_possible_duplicates_and_compares_it(client, manager, pair):
    survivor, merged = pair

    index = client.get("/guests").text
    listing = client.get("/guests/duplicates").text
    page = client.get(compare_url(survivor, merged))

    assert 'href="/guests/duplicates"' in index
    assert "Lena Müller" in listing and "Anna Müller" in listing
    assert "Same e-mail address" in listing and "Different name" in listing
    assert f'href="/guests/{survivor.id}/merge?other={merged.id}"' in listing
    assert page.status_code == 200
    html = page.text
    assert f"Merge guest #{merged.id} into guest #{survivor.id}" in html
    assert html.count('type="radio"') == 2 * 4  # given name, birthday, VIP code, member number
    # What only one profile holds survives unless staff choose otherwise; a conflict keeps the survivor's.
    assert '<input checked id="given_name-0" name="given_name" type="radio" value="survivor">' in html
    assert '<input checked id="birthday-1" name="birthday" type="radio" value="merged">' in html
    assert "Carrot juice" in html and "High floor" in html and "booking: " not in html
    views = db.session.scalars(sa.select(AuditEntry.guest_id).where(
        AuditEntry.staff_id == manager.id, AuditEntry.action == "view")).all()
    assert sorted(views) == sorted([survivor.id, merged.id])


def test_merging_in_the_browser_keeps_the_chosen_values_and_leads_to_the_survivor(client, manager, pair):
    survivor, merged = pair

    response = client.post(compare_url(survivor, merged), data=merge_form(survivor, merged, given_name="merged"))

    assert response.status_code == 302 and response.headers["Location"] == f"/guests/{survivor.id}"
    page = client.get(response.headers["Location"]).text
    assert f"Guest #{merged.id} was merged into this profile." in page
    assert "Lena Müller" in page and "M-77" in page and "High floor" in page and "Carrot juice" in page
    kept = fresh(Guest, survivor.id)
    assert (kept.given_name, kept.member_number, kept.birthday, kept.vip_code) == (
        "Lena", "M-77", date(1980, 1, 2), "GOLD")
    assert fresh(Guest, merged.id).merged_into_id == survivor.id
    assert db.session.scalars(sa.select(GuestMatchReview.status)).all() == ["merged"]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert (entry.staff_id, entry.guest_id, entry.changes["merged_guest"]) == (
        manager.id, survivor.id, [merged.id, survivor.id])


def test_without_the_confirmation_nothing_is_merged(client, manager, pair):
    survivor, merged = pair
    form = merge_form(survivor, merged)
    del form["confirm"]

    response = client.post(compare_url(survivor, merged), data=form)

    assert response.status_code == 200
    assert "Tick this box to confirm the merge." in response.text
    assert fresh(Guest, merged.id).merged_into_id is None


def test_a_profile_changed_while_comparing_is_not_merged(client, manager, pair):
    survivor, merged = pair
    form = merge_form(survivor, merged)
    service.update_guest(SYSTEM, merged.id, merged.version, {"notes": "Asked for a late check-out"})

    response = client.post(compare_url(survivor, merged), data=form, follow_redirects=True)

    assert response.request.path == f"/guests/{survivor.id}/merge"
    assert "One of the two profiles was changed while you compared them." in response.text
    assert fresh(Guest, merged.id).merged_into_id is None
    assert "Asked for a late check-out" in response.text


def test_the_page_of_a_merged_profile_leads_to_the_survivor_with_a_message(client, manager, pair):
    survivor, merged = pair
    assert client.post(compare_url(survivor, merged), data=merge_form(survivor, merged)).status_code == 302

    client.get(f"/guests/{survivor.id}")  # shows the merge's own message
    response = client.get(f"/guests/{merged.id}")
    survivors_page = client.get(response.headers["Location"]).text
    edit = client.get(f"/guests/{merged.id}/external-ids/1/remove")

    assert response.status_code == 302 and response.headers["Location"] == f"/guests/{survivor.id}"
    assert f"Guest #{merged.id} was merged into this profile." in survivors_page
    assert edit.status_code == 404 and f"was merged into guest {survivor.id}" in edit.text


def test_merging_a_guest_with_itself_or_an_unknown_one_is_refused_on_the_page(client, manager, pair):
    survivor, _merged = pair
    itself = client.get(compare_url(survivor, survivor))
    unknown = client.get(f"/guests/{survivor.id}/merge?other=999999")

    assert itself.status_code == 422 and "A guest cannot be merged with itself." in itself.text
    assert unknown.status_code == 422 and "There is no guest with this id." in unknown.text


def test_a_profile_links_to_choosing_the_other_profile(client, manager, pair):
    survivor, merged = pair

    profile = client.get(f"/guests/{survivor.id}").text
    pick = client.get(f"/guests/{survivor.id}/merge").text

    assert f'href="/guests/{survivor.id}/merge"' in profile
    assert 'name="other"' in pick and f'action="/guests/{survivor.id}/merge"' in pick


def test_a_manager_of_one_hotel_cannot_merge_a_guest_with_stays_at_another(client, manager, pair):
    survivor, merged = pair
    stay_service.upsert_stay(SYSTEM, "HGH", "H-1", {
        "source_modified_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "guest_id": merged.id,
        "arrival": date(2026, 12, 1), "departure": date(2026, 12, 2)})

    page = client.get(compare_url(survivor, merged))
    posted = client.post(compare_url(survivor, merged), data=merge_form(survivor, merged))

    assert page.status_code == 403 and "hotels you do not work for" in page.text
    assert posted.status_code == 403
    assert fresh(Guest, merged.id).merged_into_id is None


def test_dismissing_a_pair_takes_it_off_the_list(client, manager, pair):
    review = db.session.scalars(sa.select(GuestMatchReview)).one()

    response = client.post(f"/guests/duplicates/{review.id}/dismiss", follow_redirects=True)

    assert response.request.path == "/guests/duplicates"
    assert "are no longer listed as possible duplicates" in response.text
    assert "No possible duplicates are waiting." in response.text
    stored = fresh(GuestMatchReview, review.id)
    assert (stored.status, stored.decided_by_staff_id) == ("dismissed", manager.id)


def test_the_duplicate_and_merge_forms_need_their_csrf_token(make_app, hotels, pair):
    survivor, merged = pair
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    auth_service.create_staff(email="csrf.manager@example.test", name="Manager", password="a long passphrase",
                              role="manager", properties=[hotels[0]])
    db.session.commit()
    token = TOKEN.search(browser.get("/login").text).group(1)
    assert browser.post("/login", data={"email": "csrf.manager@example.test", "password": "a long passphrase",
                                        "csrf_token": token}).status_code == 302
    review = db.session.scalars(sa.select(GuestMatchReview)).one()

    listing = browser.get("/guests/duplicates").text
    compare = browser.get(compare_url(survivor, merged)).text
    refused_dismiss = browser.post(f"/guests/duplicates/{review.id}/dismiss")
    refused_merge = browser.post(compare_url(survivor, merged), data=merge_form(survivor, merged))
    accepted = browser.post(compare_url(survivor, merged),
                            data={**merge_form(survivor, merged), "csrf_token": TOKEN.search(compare).group(1)})

    assert listing.count('<form method="post"') == listing.count('name="csrf_token"') >= 2
    assert refused_dismiss.status_code == 400 and refused_merge.status_code == 400
    assert accepted.status_code == 302
    assert fresh(Guest, merged.id).merged_into_id == survivor.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Preference)
                             .where(Preference.guest_id == survivor.id)) == 2
