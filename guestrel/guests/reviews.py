"""The review list of possible duplicates: pairs of profiles identity resolution could not tell
apart with certainty (guestrel.guests.identity). Staff with guests:merge read the open pairs,
merge them (guestrel.guests.merge) or dismiss them. The only code that writes the table.

Guests belong to the whole chain, and so does the list: any principal with guests:merge reads
all of it, as any guest reader reads every profile.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests.models import GuestMatchReview
from guestrel.guests.operation import require, transaction
from guestrel.service_errors import InvalidDataError, NotFoundError

REASON_LABELS = {
    "email": _l("Same e-mail address"),
    "phone": _l("Same phone number"),
    "birthday": _l("Same birthday"),
    "same_name": _l("Same name"),
    "similar_name": _l("Similar name"),
    "different_name": _l("Different name"),
    "different_birthday": _l("Different birthday"),
    "different_member_number": _l("Different member number"),
}
PAGE_SIZE_MAX = 200


@dataclass(frozen=True)
class Candidate:
    """An existing profile the new one may duplicate: its id, the name score and the reasons."""

    guest_id: int
    score: int
    reasons: tuple


@dataclass(frozen=True)
class ReviewPage:
    items: list
    # The id to pass as `after` for the next page, None on the last page.
    next_after: int | None


def _decide(principal: Principal, status: str) -> dict:
    return {"status": status, "decided_by_staff_id": principal.staff_id,
            "decided_by_client_id": principal.api_client_id, "decided_at": utcnow()}


def open_reviews(principal: Principal, guest_id: int, candidates, source_system: str | None):
    """Put the new profile `guest_id` and each candidate on the list, in the caller's
    transaction (the profile was just created: none of its pairs is listed yet)."""
    if not candidates:
        return
    rows = [GuestMatchReview(guest_id=guest_id, candidate_id=candidate.guest_id, score=candidate.score,
                             reasons=list(candidate.reasons), status="open", source_system=source_system)
            for candidate in candidates]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        audit.record(principal, "create", "guest_match_review", row.id, guest_id=guest_id, changes=audit.diff(
            {}, {"candidate_id": row.candidate_id, "score": row.score, "reasons": row.reasons}))


def list_open(principal: Principal, *, limit: int = 50, after: int | None = None) -> ReviewPage:
    """The open pairs, oldest first, with both profiles loaded."""
    require(principal, "guests:merge")
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise InvalidDataError({"limit": [_("Ask for 1 to %(max)d reviews.", max=PAGE_SIZE_MAX)]})
    query = (sa.select(GuestMatchReview).where(GuestMatchReview.status == "open")
             .options(joinedload(GuestMatchReview.guest), joinedload(GuestMatchReview.candidate))
             .order_by(GuestMatchReview.id).limit(limit + 1))
    if after is not None:
        query = query.where(GuestMatchReview.id > after)
    rows = db.session.scalars(query).all()
    if len(rows) > limit:
        return ReviewPage(rows[:limit], rows[limit - 1].id)
    return ReviewPage(rows, None)


def dismiss(principal: Principal, review_id: int) -> GuestMatchReview:
    """The two profiles are different guests: the pair leaves the list. Dismissing twice changes
    nothing; a pair already merged cannot be dismissed."""
    require(principal, "guests:merge")
    with transaction():
        review = db.session.get(GuestMatchReview, review_id)
        if review is None:
            raise NotFoundError(_("There is no such possible duplicate."))
        if review.status == "merged":
            raise InvalidDataError.general(_("These guests were merged already."))
        if review.status == "open":
            for name, value in _decide(principal, "dismissed").items():
                setattr(review, name, value)
            changes = {"status": ["open", "dismissed"]}
            # Each guest's trail shows it: the pair concerns both.
            for guest_id in (review.guest_id, review.candidate_id):
                audit.record(principal, "update", "guest_match_review", review.id, guest_id=guest_id, changes=changes)
    return db.session.scalar(sa.select(GuestMatchReview).where(GuestMatchReview.id == review_id)
                             .options(joinedload(GuestMatchReview.guest), joinedload(GuestMatchReview.candidate)))


def _involving(guest_id: int, review=GuestMatchReview):
    return sa.or_(review.guest_id == guest_id, review.candidate_id == guest_id)


def close_for_merge(principal: Principal, survivor_id: int, merged_id: int) -> int:
    """In the merge's transaction: the pair itself is decided as merged, and the merged profile's
    other open pairs pass to the survivor (dropped where the survivor has that pair already).
    The number of pairs touched."""
    pair = sa.and_(_involving(survivor_id), _involving(merged_id))
    is_open = GuestMatchReview.status == "open"
    touched = db.session.execute(
        sa.update(GuestMatchReview).where(is_open, pair).values(**_decide(principal, "merged"))
        .execution_options(synchronize_session=False)
    ).rowcount
    other = aliased(GuestMatchReview)
    third = sa.case((GuestMatchReview.guest_id == merged_id, GuestMatchReview.candidate_id),
                    else_=GuestMatchReview.guest_id)
    touched += db.session.execute(
        sa.delete(GuestMatchReview).where(is_open, _involving(merged_id), sa.exists().where(
            other.status == "open", _involving(survivor_id, other),
            sa.or_(other.guest_id == third, other.candidate_id == third),
        )).execution_options(synchronize_session=False)
    ).rowcount
    for column in (GuestMatchReview.guest_id, GuestMatchReview.candidate_id):
        touched += db.session.execute(
            sa.update(GuestMatchReview).where(is_open, column == merged_id).values({column: survivor_id})
            .execution_options(synchronize_session=False)
        ).rowcount
    return touched
