"""guestrel's memory of a guest as a block of an apaleo reservation's `comment`.

apaleo keeps no guest profiles, so the place the front desk reads about a guest is the
reservation: its `comment` is the hotel's internal note (`guestComment` is what the guest
asked for, and stays theirs). The staff's own text in the comment is kept; guestrel owns only
the block between its markers, which it replaces whole, so writing the same memory twice
gives the same comment.
"""
import re

from guestrel.plugins.plugin_api import GuestProfileFact

BEGIN = "[guestrel]"
END = "[/guestrel]"
# With the blank lines around it, which are guestrel's too.
BLOCK = re.compile(r"\s*" + re.escape(BEGIN) + r".*?" + re.escape(END) + r"\s*", re.DOTALL)


def block(fact: GuestProfileFact) -> str | None:
    """The memory as the block's text, or None when there is nothing to remember."""
    lines = []
    if fact.tier_code:
        lines.append(f"Tier: {fact.tier_code}")
    if fact.preferences:
        lines.append("Preferences:")
        lines.extend(f"- {preference}" for preference in fact.preferences)
    if not lines:
        return None
    return "\n".join([BEGIN, *lines, END])


def merged_comment(comment: str | None, fact: GuestProfileFact) -> str | None:
    """The reservation's comment with guestrel's block replaced by this fact's (or removed when
    the fact is empty); None for an empty comment."""
    staff_text = BLOCK.sub("\n\n", comment or "").strip()
    parts = [part for part in (staff_text, block(fact)) if part]
    return "\n\n".join(parts) or None


def comment_patch(comment: str | None, new_comment: str | None) -> list:
    """The JSON Patch (RFC 6902) that turns `comment` into `new_comment`; apaleo allows add,
    replace and remove on a reservation's /comment."""
    if new_comment is None:
        return [{"op": "remove", "path": "/comment"}]
    return [{"op": "add" if comment is None else "replace", "path": "/comment", "value": new_comment}]
