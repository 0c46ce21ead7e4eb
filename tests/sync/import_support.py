"""For the import tests: CSV files as Excel saves them, with one record per row, a csv_import
connection of the Shanghai hotel, and counts of every table to show what an import wrote."""
import csv
import io

import pytest
import sqlalchemy as sa

from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.sync import connections

COLUMNS = (
    "record_type", "guest_id", "given_name", "family_name", "full_name", "email", "phone", "birthday",
    "nationality", "language", "category", "value", "detail", "alert_at_check_in", "prepare_before_arrival",
    "stay_id", "arrival", "departure", "status", "room_number", "room_type", "rate_code", "revenue_room",
    "revenue_food_and_beverage", "revenue_other", "currency",
)


def csv_file(*rows: dict, columns=COLUMNS) -> bytes:
    """A file as Excel saves "CSV UTF-8": a byte-order mark, CRLF line ends, quotes as needed."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return text.getvalue().encode("utf-8-sig")


def profile(guest_id, **values):
    return {"record_type": "profile", "guest_id": guest_id, **values}


def preference(guest_id, category, value, **values):
    return {"record_type": "preference", "guest_id": guest_id, "category": category, "value": value, **values}


def stay(stay_id, guest_id, arrival="2024-03-01", departure="2024-03-04", status="checked_out", **values):
    return {"record_type": "stay", "stay_id": stay_id, "guest_id": guest_id, "arrival": arrival,
            "departure": departure, "status": status, **values}


GOOD_FILE = csv_file(
    profile("L-1", given_name="Wei", family_name="Li", email="Li.Wei@Example.com", phone="138 0013 8000",
            birthday="1975-06-01", nationality="cn", language="zh-cn"),
    profile("L-2", full_name="张伟", birthday="1982年3月5日"),
    preference("L-1", "food_and_drink", "Carrot juice", detail='Large glass, "fresh", in the fridge',
               alert_at_check_in="yes", prepare_before_arrival="yes"),
    preference("L-2", "room", "High floor"),
    stay("F-100", "L-1", room_number="1208", room_type="SUITE", rate_code="BAR", revenue_room="3,600.00",
         revenue_food_and_beverage="420.50", revenue_other="0", currency="CNY"),
    stay("F-101", "L-2", arrival="2024-05-01", departure="2024-05-02", status="cancelled"),
    stay("F-102", "L-2", arrival="2024-06-01", departure="2024-06-03", status="no-show"),
)


@pytest.fixture
def legacy(app, hotels):
    """A csv_import connection of the Shanghai hotel."""
    return connections.create_connection(OPERATOR, {
        "adapter": "csv_import", "property_code": "SHA", "name": "Legacy CRM",
        "settings": {"timezone": "Asia/Shanghai"},
    }).connection


def table_counts() -> dict:
    db.session.rollback()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def guest_by_legacy_id(legacy_id) -> Guest:
    return db.session.scalar(sa.select(Guest).join(GuestExternalId).where(
        GuestExternalId.system == "csv_import", GuestExternalId.external_id == legacy_id))


def errors_of(report) -> list:
    return [(error.row, error.field, error.message) for error in report.errors]
