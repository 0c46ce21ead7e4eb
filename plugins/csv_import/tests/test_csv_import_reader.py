"""The csv_import adapter reading files as hotels export them: every row becomes its events or all
of its errors, whatever the encoding, the delimiter or Excel's quoting."""
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import marshmallow
import pytest

from guestrel.plugins.plugin_api import (
    CheckedOut,
    FieldError,
    GuestData,
    NoShow,
    PayloadError,
    PreferenceRecorded,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
    TimeoutSession,
)
from guestrel_csv_import import CsvImport, Settings

MIXED_HEADER = ("record_type,guest_id,given_name,family_name,full_name,email,phone,birthday,nationality,language,"
                "member_number,category,value,detail,alert_at_check_in,prepare_before_arrival,stay_id,arrival,"
                "departure,status,room_number,room_type,rate_code,revenue_room,revenue_food_and_beverage,"
                "revenue_other,currency")
SHANGHAI_NOON = timezone(timedelta(hours=8))


def read(text: str, encoding="utf-8", **settings) -> list:
    adapter = CsvImport(Settings().load({"timezone": "Asia/Shanghai", **settings}), TimeoutSession())
    body = text.encode(encoding) if isinstance(text, str) else text
    return list(adapter.read(io.BytesIO(body)))


def mixed(*lines: str) -> str:
    return "\r\n".join([MIXED_HEADER, *lines]) + "\r\n"


def only_events(rows) -> list:
    assert [row.errors for row in rows] == [()] * len(rows)
    return [row.events for row in rows]


def test_a_mixed_file_gives_each_row_its_events():
    rows = read(mixed(
        "profile,L-1,Wei,Li,,li.wei@example.com,+86 138 0013 8000,1975-06-01,CN,zh-CN,M-77,,,,,,,,,,,,,,,,",
        'preference,L-1,,,,,,,,,,Food_and_Drink,Carrot juice,"Large glass, ""fresh""",Yes,是,,,,,,,,,,,',
        'stay,L-1,,,,,,,,,,,,,,,F-100,2024-03-01,2024-03-04,Checked Out,1208,SUITE,BAR,"3,600.00",420.5,0,cny',
        "stay,,,,,,,,,,,,,,,,F-101,2024/05/01,2024/05/02,canceled,,,,,,,",
        "stay,L-1,,,,,,,,,,,,,,,F-102,2024-06-01,2024-06-03,no-show,,,,80,,,CNY",
    ))

    assert [row.number for row in rows] == [1, 2, 3, 4, 5]
    (profile,), (preference,), (upserted, checked_out), (cancel_upsert, cancelled), (no_show_upsert, no_show) = \
        only_events(rows)
    assert isinstance(profile, ProfileUpdated)
    assert profile.guest == GuestData(external_id="L-1", given_name="Wei", family_name="Li",
                                      email="li.wei@example.com", phone="+86 138 0013 8000",
                                      birthday=date(1975, 6, 1), nationality="CN", language="zh-CN",
                                      member_number="M-77")
    assert isinstance(preference, PreferenceRecorded)
    assert (preference.guest_external_id, preference.category, preference.value, preference.detail) == (
        "L-1", "food_and_drink", "Carrot juice", 'Large glass, "fresh"')
    assert (preference.alert_at_check_in, preference.prepare_before_arrival) == (True, True)

    noon = datetime(2024, 3, 4, 12, tzinfo=SHANGHAI_NOON)
    assert isinstance(upserted, ReservationUpserted) and isinstance(checked_out, CheckedOut)
    assert (upserted.reservation_id, upserted.arrival, upserted.departure, upserted.guest) == (
        "F-100", date(2024, 3, 1), date(2024, 3, 4), GuestData(external_id="L-1"))
    assert (upserted.room_number, upserted.room_type, upserted.rate_code, upserted.revenue) == (
        "1208", "SUITE", "BAR", None)
    assert (checked_out.at, checked_out.source_modified_at, upserted.source_modified_at) == (noon, noon, noon)
    assert checked_out.revenue == Revenue(room=Decimal("3600.00"), food_and_beverage=Decimal("420.5"),
                                          other=Decimal("0"), currency="CNY")
    assert isinstance(cancelled, ReservationCancelled) and cancel_upsert.guest is None
    assert isinstance(no_show, NoShow)
    assert no_show_upsert.revenue == Revenue(room=Decimal("80"), currency="CNY")


def test_event_ids_stay_the_same_for_the_same_row_and_change_with_its_content():
    first = read(mixed("profile,L-1,Wei,Li,,,,,,,,,,,,,,,,,,,,,,,"))[0].events[0]
    again = read(mixed("profile,L-1, Wei ,Li,,,,,,,,,,,,,,,,,,,,,,,"))[0].events[0]
    changed = read(mixed("profile,L-1,Wei,Li,,wei@example.com,,,,,,,,,,,,,,,,,,,,,"))[0].events[0]

    assert first.event_id == again.event_id
    assert first.event_id.startswith("profile:L-1:") and changed.event_id != first.event_id
    stay_events = read(mixed("stay,L-1,,,,,,,,,,,,,,,F-9,2024-03-01,2024-03-04,checked_out,,,,,,,"))[0].events
    assert len({event.event_id for event in stay_events}) == 2


def test_files_of_one_kind_are_recognised_by_their_columns():
    profiles = read("Guest ID,Given Name,Family-Name\nL-1,Wei,Li\n")
    preferences = read("guest_id,category,value\nL-1,room,High floor\n")
    stays = read("stay_id,guest_id,arrival,departure,status\nF-1,L-1,2024-03-01,2024-03-02,CO\n")

    assert [type(event) for event in only_events(profiles)[0]] == [ProfileUpdated]
    assert [type(event) for event in only_events(preferences)[0]] == [PreferenceRecorded]
    assert [type(event) for event in only_events(stays)[0]] == [ReservationUpserted, CheckedOut]


@pytest.mark.parametrize("body", [
    "guest_id,full_name\nL-1,张伟\n".encode("utf-8"),
    "guest_id,full_name\nL-1,张伟\n".encode("utf-8-sig"),
    "guest_id,full_name\r\nL-1,张伟\r\n".encode("gb18030"),
    "guest_id\tfull_name\r\nL-1\t张伟\r\n".encode("utf-16"),
], ids=["utf-8", "utf-8 with BOM", "gb18030", "utf-16 tab-separated"])
def test_chinese_names_come_through_every_encoding_excel_saves(body):
    (profile,), = only_events(read(body))

    assert profile.guest.full_name == "张伟"


def test_the_encoding_setting_forces_gb18030_and_a_semicolon_file_is_read():
    body = "guest_id;family_name;given_name\nL-1;王;芳\n".encode("gb18030")

    (profile,), = only_events(read(body, encoding="gb18030"))

    assert (profile.guest.family_name, profile.guest.given_name) == ("王", "芳")


def test_excel_quoting_keeps_commas_quotes_and_line_breaks_inside_a_cell():
    text = 'guest_id,category,value,detail\r\nL-1,room,"Quiet, high floor","Away from the lift;\r\nsays ""please"""\r\n'

    (preference,), = only_events(read(text))

    assert (preference.value, preference.detail) == ("Quiet, high floor", 'Away from the lift;\r\nsays "please"')


def test_a_prefix_keeps_the_guest_ids_of_separate_legacy_systems_apart():
    rows = read("guest_id,given_name\nL-1,Wei\n", guest_id_prefix="SHA-")

    assert rows[0].events[0].guest.external_id == "SHA-L-1"


def errors(rows) -> dict:
    return {row.number: list(row.errors) for row in rows}


def test_every_problem_of_a_row_is_reported_and_reading_goes_on():
    rows = read(mixed(
        "profile,L-1,,,,,,1975-02-30,,,,,,,,,,,,,,,,,,,",
        "preference,,,,,,,,,,,,,,maybe,,,,,,,,,,,,",
        "stay,L-1,,,,,,,,,,,,,,,,03/01/2024,2024-03-01,gone,,,,-5,12.345,1O,CN",
        ",,,,,,,,,,,,,,,,,,,,,,,,,,",
        "stay,L-1,Wei,,,,,,,,,,,,,,F-2,2024-03-04,2024-03-01,checked_out,,,,100,,,",
        "guest,L-3,Ann,,,,,,,,,,,,,,,,,,,,,,,,,extra",
        "visit,L-4,,,,,,,,,,,,,,,,,,,,,,,,,",
        "profile,L-5,Mei,,,,,,,,,,,,,,,,,,,,,,,,",
    ))

    assert errors(rows) == {
        1: [FieldError("birthday", "There is no such date."),
            FieldError("given_name", "Enter the guest's name: given_name and family_name, or full_name.")],
        2: [FieldError("guest_id", "This field is required."), FieldError("category", "This field is required."),
            FieldError("value", "This field is required."),
            FieldError("alert_at_check_in", "Write yes or no (or leave it empty for no).")],
        3: [FieldError("stay_id", "This field is required."),
            FieldError("arrival", "Write the date as YYYY-MM-DD, e.g. 2024-03-05."),
            FieldError("revenue_room", "Write an amount of 0 or more without a currency sign, e.g. 1280.50."),
            FieldError("revenue_food_and_beverage", "Write the amount with at most two decimals."),
            FieldError("revenue_other", "Write an amount of 0 or more without a currency sign, e.g. 1280.50."),
            FieldError("currency", "Write the three-letter currency code, e.g. CNY."),
            FieldError("status", "Write checked_out, cancelled or no_show.")],
        5: [FieldError("given_name", "This column is not read for stay rows; leave it empty."),
            FieldError("currency", "Give the currency of the amounts, e.g. CNY."),
            FieldError("departure", "The departure must be after the arrival.")],
        6: [FieldError("row", "This row has more cells than the header has columns.")],
        7: [FieldError("record_type", "Write profile, preference or stay.")],
        8: [],
    }
    assert [type(event) for event in rows[-1].events] == [ProfileUpdated]


def test_columns_the_file_lacks_or_guestrel_does_not_read_are_reported_in_each_row_that_needs_them():
    rows = read("stay_id,arrival,notes,room_number,room_number,\n"
                "F-1,2024-03-01,VIP,1208,1209,x\n"
                "F-2,2024-03-01,,,,\n")

    expected_missing = [FieldError("departure", "The file has no column departure."),
                        FieldError("status", "The file has no column status.")]
    assert errors(rows) == {
        1: [FieldError("notes", "guestrel does not read a column notes; remove it or leave it empty."),
            FieldError("room_number", "The file has more than one column room_number."),
            FieldError("room_number", "The file has more than one column room_number."),
            FieldError("row", "This column has no name in the header."), *expected_missing],
        2: expected_missing,
    }
    assert errors(read("guest_id,email\nL-1,a@example.com\n")) == {
        1: [FieldError("given_name", "The file has no column given_name, family_name or full_name.")]}


def test_stays_that_cannot_have_happened_yet_are_refused():
    today = datetime.now(SHANGHAI_NOON).date()
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=3)

    rows = read("stay_id,arrival,departure,status\n"
                f"F-1,{today},{tomorrow},checked_out\n"
                f"F-2,{tomorrow},{later},no_show\n"
                f"F-3,{tomorrow},{later},cancelled\n")

    assert errors(rows) == {
        1: [FieldError("departure", "A checked-out stay cannot depart after today.")],
        2: [FieldError("arrival", "A no-show cannot arrive after today.")],
        3: [],
    }


def test_ids_longer_than_guestrel_keeps_are_refused():
    rows = read(f"guest_id,given_name\n{'9' * 95},Wei\n", guest_id_prefix="LEGACY-")

    assert errors(rows) == {1: [FieldError("guest_id", "Use at most 93 characters.")]}


def test_bytes_that_are_not_valid_text_are_reported_in_their_cell():
    # Neither UTF-8 nor GB18030 has a byte 0xFF: the file is read as UTF-8.
    body = "guest_id,given_name,family_name\nL-1,伟,李\nL-2,".encode() + b"Fang\xff,Wang\n"

    rows = read(body)

    assert errors(rows) == {1: [], 2: [FieldError(
        "given_name", "This value is not valid UTF-8 text; save the file as CSV UTF-8 and import it again.")]}
    assert rows[0].events[0].guest.given_name == "伟"


def test_a_row_the_csv_reader_cannot_read_is_reported_and_the_next_one_read():
    rows = read('guest_id,given_name\nL-1,"' + "x" * 200_000 + '"\nL-2,Mei\n')

    assert errors(rows) == {
        1: [FieldError("row", "This row cannot be read as CSV: field larger than field limit (131072).")], 2: []}


def test_an_unreadable_header_is_a_payload_error_and_an_empty_file_has_no_rows():
    with pytest.raises(PayloadError, match="The header row cannot be read as CSV"):
        read('"' + "x" * 200_000 + '"\n')
    assert read("") == [] and read("guest_id,given_name\r\n\r\n,\r\n") == []


@pytest.mark.parametrize("settings, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"encoding": "latin-1"}, "encoding"),
    ({"guest_id_prefix": "x" * 21}, "guest_id_prefix"),
])
def test_the_settings_refuse_what_cannot_be_used(settings, field):
    with pytest.raises(marshmallow.ValidationError) as refused:
        Settings().load(settings)

    assert list(refused.value.messages) == [field]
