"""Importing a legacy system's CSV export through a csv_import connection: what a good file
creates, what a dry run reports and leaves, rows applied all or nothing, a file imported twice."""
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import Principal
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests.models import Guest, GuestExternalId, Preference
from guestrel.service_errors import InvalidDataError
from guestrel.stays.models import Stay
from guestrel.sync import connections, imports, inbox
from guestrel.sync.models import InboxEvent, InboxMessage
from tests.sync.import_support import (  # noqa: F401  (legacy: a fixture)
    GOOD_FILE,
    csv_file,
    errors_of,
    guest_by_legacy_id,
    legacy,
    preference,
    profile,
    stay,
    table_counts,
)


def test_a_good_file_creates_the_guests_their_preferences_and_their_stays(legacy):
    report = imports.import_file(OPERATOR, legacy.id, GOOD_FILE, "legacy.csv")

    assert errors_of(report) == []
    assert (report.rows_read, report.rows_imported, report.rows_unchanged, report.rows_failed) == (7, 7, 0, 0)
    db.session.rollback()
    li = guest_by_legacy_id("L-1")
    assert (li.given_name, li.family_name, li.email, li.phone) == ("Wei", "Li", "li.wei@example.com", "+8613800138000")
    assert (str(li.birthday), li.nationality, li.language) == ("1975-06-01", "CN", "zh-CN")
    zhang = guest_by_legacy_id("L-2")
    assert (zhang.full_name, str(zhang.birthday)) == ("张伟", "1982-03-05")

    juice = db.session.scalar(sa.select(Preference).where(Preference.guest_id == li.id))
    assert (juice.category.code, juice.value, juice.detail) == ("food_and_drink", "Carrot juice",
                                                                 'Large glass, "fresh", in the fridge')
    assert (juice.alert_at_check_in, juice.prepare_before_arrival, juice.source, juice.property_id) == (
        True, True, "import", None)
    floor = db.session.scalar(sa.select(Preference).where(Preference.guest_id == zhang.id))
    assert (floor.category.code, floor.value, floor.alert_at_check_in) == ("room", "High floor", False)

    stays = {s.pms_id: s for s in db.session.scalars(sa.select(Stay))}
    suite = stays["F-100"]
    assert (suite.guest_id, suite.status, suite.room_number, suite.room_type, suite.rate_code) == (
        li.id, "checked_out", "1208", "SUITE", "BAR")
    assert (suite.revenue_room, suite.revenue_food_and_beverage, suite.revenue_other, suite.currency) == (
        Decimal("3600.00"), Decimal("420.50"), Decimal("0.00"), "CNY")
    # Noon of the departure day at the hotel (Asia/Shanghai).
    assert suite.checked_out_at == datetime.fromisoformat("2024-03-04T04:00:00+00:00")
    assert (stays["F-101"].guest_id, stays["F-101"].status) == (zhang.id, "cancelled")
    assert (stays["F-102"].guest_id, stays["F-102"].status) == (zhang.id, "no_show")

    message = db.session.get(InboxMessage, report.message_id)
    assert (message.origin, message.adapter, message.status, message.body) == ("file", "csv_import", "applied",
                                                                               GOOD_FILE)
    assert message.headers == {"Filename": "legacy.csv"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)
                             .where(InboxEvent.message_id == message.id)) == 4 + 3 * 2


BAD_FILE = csv_file(
    profile("L-1", given_name="Wei", family_name="Li"),
    profile("L-2", email="no-name@example.com"),
    profile("L-3", given_name="Ann", email="not an address"),
    preference("L-1", "food_and_drink", "Carrot juice"),
    preference("L-1", "hobbies", "Golf"),
    preference("L-9", "room", "Quiet room"),
    stay("F-1", "L-1", departure="2024-02-30", status="gone", revenue_room="-5"),
    stay("F-2", "L-1", revenue_room="100", currency="ABC"),
    stay("F-3", "L-1", revenue_room="880.00", currency="CNY"),
)
BAD_ROWS = [
    (2, "given_name", "Enter the guest's name: given_name and family_name, or full_name."),
    (3, "email", "This is not a valid e-mail address."),
    (5, "category", "Choose one of the preference categories."),
    (6, "guest_id", "No guest has the csv_import id L-9."),
    (7, "departure", "There is no such date."),
    (7, "revenue_room", "Write an amount of 0 or more without a currency sign, e.g. 1280.50."),
    (7, "status", "Write checked_out, cancelled or no_show."),
    (8, "currency", "Choose an ISO 4217 currency code such as CNY."),
]


def test_a_dry_run_reports_every_bad_row_and_writes_nothing(legacy):
    before = table_counts()

    report = imports.import_file(OPERATOR, legacy.id, BAD_FILE, "legacy.csv", dry_run=True)

    assert errors_of(report) == BAD_ROWS
    assert (report.rows_read, report.rows_imported, report.rows_failed, report.message_id) == (9, 3, 6, None)
    assert table_counts() == before


def test_the_import_applies_the_good_rows_and_nothing_of_a_bad_one(legacy):
    report = imports.import_file(OPERATOR, legacy.id, BAD_FILE, "legacy.csv")

    assert errors_of(report) == BAD_ROWS
    assert (report.rows_imported, report.rows_failed) == (3, 6)
    db.session.rollback()
    assert {e.external_id for e in db.session.scalars(sa.select(GuestExternalId))} == {"L-1"}
    assert [p.value for p in db.session.scalars(sa.select(Preference))] == ["Carrot juice"]
    # F-2's reservation was created before its check-out was refused: the row left neither.
    assert [(s.pms_id, s.status, s.revenue_room) for s in db.session.scalars(sa.select(Stay))] == [
        ("F-3", "checked_out", Decimal("880.00"))]
    message = db.session.get(InboxMessage, report.message_id)
    assert message.status == "failed"
    assert message.error.startswith("6 of 9 rows failed: row 2 given_name: Enter the guest's name")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == 1 + 1 + 2


def test_a_dry_run_sees_what_the_rows_above_did(legacy):
    before = table_counts()
    dependent = csv_file(
        profile("L-7", given_name="Mei", family_name="Chen"),
        stay("F-7", "L-7"),
        preference("L-7", "food_and_drink", "Green tea"),
        preference("L-7", "food_and_drink", "green tea", detail="The same preference again"),
    )

    report = imports.import_file(OPERATOR, legacy.id, dependent, "chen.csv", dry_run=True)

    assert errors_of(report) == []
    assert (report.rows_imported, report.rows_unchanged) == (3, 1)
    assert table_counts() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(legacy):
    imports.import_file(OPERATOR, legacy.id, GOOD_FILE, "legacy.csv")
    before = table_counts()

    again = imports.import_file(OPERATOR, legacy.id, GOOD_FILE, "legacy.csv")

    assert errors_of(again) == []
    assert (again.rows_read, again.rows_imported, again.rows_unchanged) == (7, 0, 7)
    after = table_counts()
    # Only the second delivery itself is stored, and who imported it.
    assert after.pop("inbox_messages") == before.pop("inbox_messages") + 1
    assert after.pop("audit_entries") == before.pop("audit_entries") + 1
    assert after == before
    assert db.session.get(InboxMessage, again.message_id).status == "ignored"


def test_a_corrected_row_is_applied_when_imported_again(legacy):
    imports.import_file(OPERATOR, legacy.id, csv_file(profile("L-1", given_name="Wei", family_name="Li")), "a.csv")

    report = imports.import_file(OPERATOR, legacy.id, csv_file(
        profile("L-1", given_name="Wei", family_name="Li", email="wei@example.com")), "b.csv")

    assert (report.rows_imported, report.rows_unchanged) == (1, 0)
    db.session.rollback()
    assert guest_by_legacy_id("L-1").email == "wei@example.com"


def test_the_import_is_audited_under_the_admin_who_imported_it(legacy, make_staff):
    admin = make_staff("admin")
    principal = Principal.for_staff(admin)

    report = imports.import_file(principal, legacy.id, GOOD_FILE, "legacy.csv")

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "inbox_message"))
    assert (entry.staff_id, entry.action, entry.entity_id, entry.changes) == (
        admin.id, "create", report.message_id, {"filename": [None, "legacy.csv"]})


def test_replaying_a_failed_import_applies_the_rows_whose_cause_was_fixed(legacy):
    report = imports.import_file(OPERATOR, legacy.id, csv_file(
        profile("L-1", given_name="Wei", family_name="Li"), preference("L-1", "hobbies", "Golf")), "a.csv")
    assert errors_of(report) == [(2, "category", "Choose one of the preference categories.")]
    preference_service.create_category(OPERATOR, {"code": "hobbies", "name": "Hobbies"})

    message = inbox.replay(OPERATOR, report.message_id)

    assert (message.status, message.error) == ("applied", None)
    assert [p.value for p in db.session.scalars(sa.select(Preference))] == ["Golf"]
    assert len(db.session.scalars(sa.select(Guest)).all()) == 1


def test_a_file_stored_but_not_applied_is_resumed_by_the_inbox(legacy):
    """A worker killed after storing the file: the sweep processes the message again."""
    message = inbox.receive(inbox.Source("csv_import", "SHA"), "text/csv", {}, GOOD_FILE, origin="file")

    processed = inbox.process(message.id)

    assert (processed.status, processed.attempts, processed.next_attempt_at) == ("applied", 1, None)
    assert len(db.session.scalars(sa.select(Stay)).all()) == 3


def test_only_an_enabled_import_connection_takes_files(legacy, hotels):
    pms = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection
    with pytest.raises(InvalidDataError, match="does not import files"):
        imports.import_file(OPERATOR, pms.id, GOOD_FILE, "legacy.csv")
    connections.update_connection(OPERATOR, legacy.id, {"enabled": False})
    with pytest.raises(InvalidDataError, match="disabled"):
        imports.import_file(OPERATOR, legacy.id, GOOD_FILE, "legacy.csv")
    assert table_counts()["inbox_messages"] == 0


def test_a_file_the_adapter_cannot_read_is_kept_with_its_error(legacy):
    report = imports.import_file(OPERATOR, legacy.id, b'"guest_id\n' + b"x" * 200_000, "broken.csv")

    assert errors_of(report) == [
        (0, "file", "The header row cannot be read as CSV: field larger than field limit (131072).")]
    db.session.rollback()
    assert db.session.get(InboxMessage, report.message_id).status == "failed"


def test_an_import_refreshes_the_statistics_postgresql_plans_its_look_ups_from(legacy, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's planner keeps no statistics to refresh")
    monkeypatch.setattr(imports, "ANALYZE_FIRST_AT", 2)

    imports.import_file(OPERATOR, legacy.id, GOOD_FILE, "legacy.csv")

    # ANALYZE sets the row count a plan is made from; a table never analyzed has -1.
    estimated = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'guests'"))
    assert estimated == db.session.scalar(sa.select(sa.func.count()).select_from(Guest)) > 0
