"""guestrel adapter `csv_import`: a legacy system's CSV export of guest profiles, their
preferences and their past stays, read row by row into normalised events (the file's layout is
in this plugin's README)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import marshmallow
from marshmallow import fields, validate

from guestrel.plugins.plugin_api import ConnectionCheck, ImportAdapter, hookimpl
from guestrel_csv_import.reader import read_rows
from guestrel_csv_import.records import Context

ENCODINGS = ("auto", "utf-8", "gb18030")
PREFIX_MAX_LENGTH = 20


def _known_zone(name: str):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise marshmallow.ValidationError("Use a time zone name such as Asia/Shanghai.") from error


class Settings(marshmallow.Schema):
    encoding = fields.String(load_default="auto", validate=validate.OneOf(ENCODINGS), metadata={
        "description": "auto: UTF-8 (with or without a byte-order mark), else GB18030 when the whole file is valid GB18030"})
    timezone = fields.String(load_default="UTC", validate=_known_zone, metadata={
        "description": "The hotel's time zone: a past stay ends at noon of its departure day there"})
    guest_id_prefix = fields.String(load_default="", validate=validate.Length(max=PREFIX_MAX_LENGTH), metadata={
        "description": "Put before every guest_id, when hotels of the chain had legacy systems of their own"})


class CsvImport(ImportAdapter):
    name = "csv_import"
    settings_schema = Settings
    field_names = {
        "guest_external_id": "guest_id",
        "pms_id": "stay_id",
        "revenue.room": "revenue_room",
        "revenue.food_and_beverage": "revenue_food_and_beverage",
        "revenue.other": "revenue_other",
        "revenue.currency": "currency",
    }

    def check_connection(self):
        return ConnectionCheck(True, "Nothing to connect to: a file is read when it is uploaded.")

    def read(self, file):
        context = Context(
            guest_id_prefix=self.settings.get("guest_id_prefix") or "",
            zone=ZoneInfo(self.settings.get("timezone") or "UTC"),
            read_at=datetime.now(timezone.utc),
        )
        return read_rows(file.read(), self.settings.get("encoding") or "auto", context)


@hookimpl
def register_adapters():
    return [CsvImport]
