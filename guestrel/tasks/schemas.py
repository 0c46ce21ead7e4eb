"""The pre-arrival tasks API contract."""
from marshmallow import Schema, fields, validate

from guestrel.guests.models import DEPARTMENTS
from guestrel.guests.preference_service import department_label
from guestrel.tasks.service import STATUSES


class TaskSchema(Schema):
    id = fields.Integer(dump_only=True, attribute="task.id")
    property_code = fields.String(dump_only=True, metadata={"example": "SHA"})
    stay_id = fields.Integer(dump_only=True, attribute="task.stay_id")
    guest_id = fields.Integer(dump_only=True, allow_none=True)
    guest_name = fields.String(dump_only=True, allow_none=True, metadata={"example": "李伟"})
    room_number = fields.String(dump_only=True, allow_none=True, attribute="task.room_number",
                                metadata={"description": "Null while no room is assigned", "example": "1208"})
    department = fields.String(dump_only=True, attribute="task.department", metadata={"enum": list(DEPARTMENTS)})
    department_label = fields.Function(lambda view: department_label(view.task.department), dump_only=True,
                                       metadata={"type": "string", "description": "In the request's language"})
    text = fields.String(dump_only=True, attribute="task.text",
                         metadata={"example": "Carrot juice — large glass, in the fridge"})
    due_at = fields.DateTime(dump_only=True, attribute="task.due_at",
                             metadata={"description": "The hotel's check-in time on the arrival day"})
    status = fields.String(dump_only=True, metadata={"enum": ["open", "overdue", "done", "cancelled"]})
    overdue = fields.Boolean(dump_only=True, metadata={"description": "Not done, and due_at has passed"})
    done_at = fields.DateTime(dump_only=True, allow_none=True, attribute="task.done_at")
    done_by = fields.String(dump_only=True, allow_none=True,
                            metadata={"description": "The staff member's or client's name"})
    cancelled_at = fields.DateTime(dump_only=True, allow_none=True, attribute="task.cancelled_at")


class TaskDaySchema(Schema):
    property_code = fields.Function(lambda day: day.property.code, dump_only=True, metadata={"type": "string"})
    date = fields.Date(dump_only=True, attribute="day")
    items = fields.List(fields.Nested(TaskSchema))


class TaskQuerySchema(Schema):
    property = fields.String(required=True, validate=validate.Length(min=1, max=16),
                             metadata={"description": "A hotel's code", "example": "SHA"})
    date = fields.Date(metadata={"description": "The day the tasks are due; default: today on the hotel's clock"})
    department = fields.String(validate=validate.OneOf(DEPARTMENTS))
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "open (overdue included), overdue, done or cancelled; default: all but cancelled"})
