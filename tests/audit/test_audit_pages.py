"""The audit trail pages: what each reader sees, filters, the next-page link, permissions."""
import re

import pytest

from guestrel.audit import service as audit
from guestrel.audit.models import AuditEntry
from guestrel.audit.views import PAGE_SIZE
from guestrel.auth.permissions import Principal
from guestrel.extensions import db

GUEST = 4242



@pytest.fixture
def people(hotels, make_staff):
    sha, hgh = hotels
    return {
        "sha_desk": make_staff("front_desk", properties=[sha]),
        "hgh_desk": make_staff("front_desk", properties=[hgh]),
        "sha_manager": make_staff("manager", properties=[sha]),
        "admin": make_staff("admin"),
    }


@pytest.fixture
def entries(hotels, people):
    """Each entry's changes carry a distinct text, so a page shows which entries it lists."""
    sha, hgh = hotels
    sha_desk = Principal.for_staff(people["sha_desk"])
    hgh_desk = Principal.for_staff(people["hgh_desk"])
    audit.record(sha_desk, "update", "preference", 1, guest_id=GUEST, property_id=sha.id,
                 changes={"text": ["Orange juice", "Carrot juice"]})
    audit.record(hgh_desk, "update", "preference", 2, guest_id=GUEST, property_id=hgh.id,
                 changes={"text": ["Green tea", "Longjing tea"]})
    audit.record(hgh_desk, "update", "guest", GUEST, guest_id=GUEST,
                 changes={"vip": [False, True], "family_name": ["Zhang", "张"]})
    audit.record(hgh_desk, "create", "special_date", 3, changes={"label": [None, "Hangzhou anniversary"]})
    audit.record(sha_desk, "retire", "preference", 4, guest_id=GUEST, changes={"text": ["Feather pillow", None]})
    db.session.commit()


def test_admin_sees_every_entry_with_before_and_after_values(client, entries, people, login):
    login(people["admin"])

    page = client.get("/audit")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Orange juice", "Carrot juice", "Longjing tea", "Hangzhou anniversary", "Feather pillow"):
        assert text in html
    assert re.search(r"<del>Orange juice</del>\s*</td>\s*<td[^>]*>→</td>\s*<td><ins>Carrot juice</ins>", html)
    assert "<del>no</del>" in html and "<ins>yes</ins>" in html
    assert "<ins>张</ins>" in html
    assert "<del>—</del>" in html
    assert people["sha_desk"].name in html
    assert "Changed" in html and "Created" in html and "Retired" in html
    assert f'href="/audit/guests/{GUEST}"' in html


def test_sha_manager_sees_sha_entries_and_chain_wide_entries_of_sha_staff_only(client, entries, people, login):
    login(people["sha_manager"])

    html = client.get("/audit").get_data(as_text=True)

    assert "Carrot juice" in html and "Feather pillow" in html
    assert "Longjing tea" not in html
    assert "Hangzhou anniversary" not in html
    assert "Zhang" not in html


def test_guest_page_shows_the_guests_chain_wide_trail_but_not_other_hotels_data(client, entries, people, login):
    login(people["sha_manager"])

    page = client.get(f"/audit/guests/{GUEST}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Carrot juice" in html and "Feather pillow" in html
    assert "Zhang" in html
    assert "Longjing tea" not in html
    assert "Hangzhou anniversary" not in html


def test_filters_by_action_and_kind_of_record(client, entries, people, login):
    login(people["admin"])

    html = client.get("/audit?action=retire").get_data(as_text=True)
    assert "Feather pillow" in html and "Carrot juice" not in html

    html = client.get("/audit?entity_type=special_date").get_data(as_text=True)
    assert "Hangzhou anniversary" in html and "Carrot juice" not in html
    assert 'value="special_date"' in html


def test_an_unknown_action_filter_is_explained_not_applied(client, entries, people, login):
    login(people["admin"])

    page = client.get("/audit?action=steal")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Not a valid choice" in html
    assert "Carrot juice" not in html


def test_next_page_link_leads_to_the_older_entries(client, hotels, people, login):
    sha, _ = hotels
    for number in range(PAGE_SIZE + 1):
        audit.record(None, "update", "guest", number, property_id=sha.id,
                     changes={"note": [None, f"note number {number:03d}"]})
    db.session.commit()
    login(people["admin"])

    first = client.get("/audit?action=update").get_data(as_text=True)
    assert "note number 050" in first and "note number 001" in first
    assert "note number 000" not in first
    link = re.search(r'href="([^"]*before=\d+[^"]*)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    assert "action=update" in link

    second = client.get(link).get_data(as_text=True)
    assert "note number 000" in second and "note number 001" not in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize("path", ["/audit", f"/audit/guests/{GUEST}"])
def test_front_desk_gets_403(client, entries, people, path, login):
    login(people["sha_desk"])

    assert client.get(path).status_code == 403


def test_front_desk_cannot_read_the_trail_through_the_api_either(client, entries, people, login):
    login(people["sha_desk"])

    assert client.get("/api/v1/audit").status_code == 401


def test_anonymous_visitors_are_sent_to_the_login(client, entries):
    response = client.get("/audit")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_reading_the_pages_is_not_audited(client, entries, people, login):
    login(people["sha_manager"])
    count = db.select(db.func.count()).select_from(AuditEntry)
    before = db.session.execute(count).scalar()

    client.get("/audit")
    client.get(f"/audit/guests/{GUEST}")

    assert db.session.execute(count).scalar() == before
