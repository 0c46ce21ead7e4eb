"""The API contract of identity resolution's review list and of merging two profiles."""
from marshmallow import Schema, fields, validate

from guestrel.guests.merge import CHOICES, MERGE_FIELDS
from guestrel.guests.reviews import PAGE_SIZE_MAX, REASON_LABELS
from guestrel.guests.schemas import GuestSummarySchema


class MergeSchema(Schema):
    merged_guest_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                                     metadata={"description": "The profile merged into this one; it becomes a tombstone"})
    merged_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                                    metadata={"description": "The merged profile's version (its ETag) as you read it"})
    choices = fields.Dict(
        keys=fields.String(validate=validate.OneOf(MERGE_FIELDS)),
        values=fields.String(validate=validate.OneOf(CHOICES)),
        load_default=dict,
        metadata={"description": "Per profile field that differs, whose value survives: required where both "
                                 "profiles hold a value; otherwise the value that is there survives",
                  "example": {"email": "merged", "phone": "survivor"}},
    )


class ReviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    guest = fields.Nested(GuestSummarySchema, dump_only=True,
                          metadata={"description": "The profile created from incoming data"})
    candidate = fields.Nested(GuestSummarySchema, dump_only=True,
                              metadata={"description": "The existing profile it may duplicate"})
    score = fields.Integer(dump_only=True, metadata={"description": "How alike the names are, 0 to 100"})
    reasons = fields.List(fields.String(), dump_only=True,
                          metadata={"description": "What matched or differed: " + ", ".join(REASON_LABELS)})
    status = fields.String(dump_only=True, metadata={"enum": ["open", "merged", "dismissed"]})
    source_system = fields.String(dump_only=True, allow_none=True,
                                  metadata={"description": "The system whose data created the profile"})
    created_at = fields.DateTime(dump_only=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)


class ReviewPageSchema(Schema):
    items = fields.List(fields.Nested(ReviewSchema))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last"})


class ReviewQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "The `next_after` of the previous page"})
