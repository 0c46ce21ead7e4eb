"""Reading the audit trail: who sees which entries, filters, pagination, one query per page."""
from types import SimpleNamespace

import pytest

from guestrel.audit import service as audit
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from tests.statements import counted

GUEST = 501
OTHER_GUEST = 502


@pytest.fixture
def chain(hotels, make_staff):
    """Staff and API clients of each hotel, and one admin; the test records entries as them."""
    sha, hgh = hotels
    sha_client, _ = auth_service.create_api_client(name="SHA PMS", scopes=["guests:write"], properties=[sha])
    hgh_client, _ = auth_service.create_api_client(name="HGH PMS", scopes=["guests:write"], properties=[hgh])
    db.session.commit()
    return SimpleNamespace(
        sha=sha,
        hgh=hgh,
        sha_desk=make_staff("front_desk", properties=[sha]),
        hgh_desk=make_staff("front_desk", properties=[hgh]),
        both_desk=make_staff("front_desk", properties=[sha, hgh]),
        admin=make_staff("admin"),
        sha_manager=make_staff("manager", properties=[sha]),
        sha_client=sha_client,
        hgh_client=hgh_client,
    )


def _record(actor, label, *, property_id=None, guest_id=None, action="update", entity_type="guest"):
    """Records an entry whose entity_id is `label`, so tests can name entries by it."""
    if actor is None:
        principal = None
    elif hasattr(actor, "role"):
        principal = Principal.for_staff(actor)
    else:
        principal = Principal.for_api_client(actor)
    entry = audit.record(
        principal, action, entity_type, label, guest_id=guest_id, property_id=property_id,
        changes={"note": [None, f"entry {label}"]},
    )
    db.session.commit()
    return entry


def _labels(page):
    return [item.entry.entity_id for item in page.items]


@pytest.fixture
def trail(chain):
    """One entry per visibility case, recorded in label order (so newest = highest label)."""
    c = chain
    _record(c.sha_desk, 1, property_id=c.sha.id)                      # SHA data
    _record(c.hgh_desk, 2, property_id=c.hgh.id)                      # HGH data
    _record(c.sha_desk, 3, guest_id=GUEST)                            # chain-wide, by SHA staff
    _record(c.hgh_desk, 4, guest_id=GUEST)                            # chain-wide, by HGH-only staff
    _record(c.sha_client, 5)                                          # chain-wide, by a SHA client
    _record(c.hgh_client, 6)                                          # chain-wide, by a HGH client
    _record(c.hgh_client, 7, property_id=c.hgh.id, guest_id=GUEST)    # HGH data about the guest
    _record(None, 8, guest_id=GUEST, action="merge")                  # chain-wide, by the system
    _record(c.admin, 9, property_id=c.sha.id, entity_type="property")  # SHA data, by an admin
    _record(c.both_desk, 10, guest_id=OTHER_GUEST, action="view")     # chain-wide, by staff of both
    _record(c.admin, 11)                                              # chain-wide, by a chain-wide admin
    return chain


def test_admin_sees_every_entry_newest_first(trail):
    page = audit.list_entries(Principal.for_staff(trail.admin))

    assert _labels(page) == [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert page.next_before is None


def test_manager_sees_own_property_entries_and_chain_wide_entries_of_own_staff_and_clients(trail):
    page = audit.list_entries(Principal.for_staff(trail.sha_manager))

    assert _labels(page) == [10, 9, 5, 3, 1]


def test_manager_reading_one_guest_sees_their_chain_wide_entries_whoever_made_them(trail):
    page = audit.list_entries(Principal.for_staff(trail.sha_manager), guest_id=GUEST)

    # 7 concerns the guest too, but belongs to HGH.
    assert _labels(page) == [8, 4, 3]


def test_client_bound_to_a_hotel_is_scoped_like_its_staff(trail):
    page = audit.list_entries(Principal(frozenset({"audit:read"}), frozenset({trail.hgh.id}), api_client_id=999))

    assert _labels(page) == [10, 7, 6, 4, 2]


def test_manager_of_no_property_sees_no_scoped_entries(trail, make_staff):
    page = audit.list_entries(Principal.for_staff(make_staff("manager")))

    assert _labels(page) == []


def test_filters_narrow_the_trail(trail):
    admin = Principal.for_staff(trail.admin)

    assert _labels(audit.list_entries(admin, staff_id=trail.hgh_desk.id)) == [4, 2]
    assert _labels(audit.list_entries(admin, api_client_id=trail.sha_client.id)) == [5]
    assert _labels(audit.list_entries(admin, action="merge")) == [8]
    assert _labels(audit.list_entries(admin, entity_type="property")) == [9]
    assert _labels(audit.list_entries(admin, guest_id=GUEST, staff_id=trail.sha_desk.id)) == [3]


def test_filters_keep_the_manager_scope(trail):
    manager = Principal.for_staff(trail.sha_manager)

    assert _labels(audit.list_entries(manager, staff_id=trail.hgh_desk.id)) == []
    assert _labels(audit.list_entries(manager, api_client_id=trail.hgh_client.id)) == []
    assert _labels(audit.list_entries(manager, guest_id=GUEST, api_client_id=trail.hgh_client.id)) == []


def test_actors_are_named_and_the_property_code_given(trail):
    items = {item.entry.entity_id: item for item in audit.list_entries(Principal.for_staff(trail.admin)).items}

    assert items[1].actor == audit.Actor("staff", trail.sha_desk.id, trail.sha_desk.name)
    assert items[1].property_code == "SHA"
    assert items[6].actor == audit.Actor("api_client", trail.hgh_client.id, "HGH PMS")
    assert items[6].property_code is None
    assert items[8].actor == audit.Actor("system", None, None)


def _walk(principal, limit, **filters):
    """Every page's labels, following next_before until the last page."""
    pages, before = [], None
    while True:
        page = audit.list_entries(principal, limit=limit, before=before, **filters)
        pages.append(_labels(page))
        if page.next_before is None:
            return pages
        assert page.next_before == page.items[-1].entry.id
        before = page.next_before


def test_pages_follow_each_other_without_duplicates_or_gaps(trail):
    assert _walk(Principal.for_staff(trail.admin), limit=4) == [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1]]


def test_a_page_that_ends_the_trail_exactly_has_no_next_page(trail):
    assert _walk(Principal.for_staff(trail.admin), limit=11) == [[11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]]


def test_scoped_pages_skip_hidden_entries_without_gaps(trail):
    assert _walk(Principal.for_staff(trail.sha_manager), limit=2) == [[10, 9], [5, 3], [1]]


def test_page_and_actor_names_come_from_a_single_query(trail):
    principal = Principal.for_staff(trail.admin)
    desk_name = trail.sha_desk.name
    db.session.expunge_all()
    with counted() as statements:
        page = audit.list_entries(principal)
        names = [item.actor.name for item in page.items]

    assert len(statements) == 1
    assert "HGH PMS" in names and desk_name in names
