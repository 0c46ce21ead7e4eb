"""REST API for possible duplicates and merging two profiles (guests:merge). The routes live on
the guests blueprint of guestrel.guests.api."""
from guestrel.api_conventions import etag, expected_version
from guestrel.auth.permissions import current_principal, require
from guestrel.guests import merge, reviews, service
from guestrel.guests.api import ETAG_HEADER, IF_MATCH, blp
from guestrel.guests.merge_schemas import MergeSchema, ReviewPageSchema, ReviewQuerySchema, ReviewSchema
from guestrel.guests.schemas import GuestSchema


@blp.route("/match-reviews")
@require("guests:merge")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, ReviewPageSchema)
@blp.errors()
def list_match_reviews(query):
    """List the possible duplicates still open

    Pairs of a profile created from incoming data and an existing one it resembles without
    certainty, oldest first. Merge them (POST /guests/{id}/merge) or dismiss them.
    """
    return reviews.list_open(current_principal(), **query)


@blp.route("/match-reviews/<int:review_id>/dismiss", methods=["POST"])
@require("guests:merge")
@blp.response(200, ReviewSchema)
@blp.errors(404)
def dismiss_match_review(review_id):
    """Dismiss a possible duplicate: the two profiles are different guests

    Dismissing twice changes nothing; a pair merged already answers 422.
    """
    return reviews.dismiss(current_principal(), review_id)


@blp.route("/<int:guest_id>/merge", methods=["POST"])
@require("guests:merge")
@blp.arguments(MergeSchema)
@blp.response(200, GuestSchema, headers=ETAG_HEADER)
@blp.doc(**IF_MATCH)
@blp.errors(404, 412, 428)
def merge_guest(data, guest_id):
    """Merge another profile of the same guest into this one

    This profile survives with its id; the other's preferences, special dates, external ids,
    stays, history and open reviews move to it, and reading the other's id then answers 404
    naming this one. Send If-Match with this profile's ETag and `merged_version` with the
    other's: 428 without If-Match, 412 if either changed since. A client bound to some hotels
    merges only guests whose stays and hotel preferences are all at its hotels (403).
    """
    version = expected_version(str(service.GUEST_CHANGED))
    guest = merge.merge_guests(current_principal(), guest_id, data["merged_guest_id"], version,
                               data["merged_version"], data["choices"])
    return guest, etag(guest.version)
