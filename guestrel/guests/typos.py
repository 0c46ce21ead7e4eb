"""Typo tolerance for guest search: "zhnag wei" finds Zhang Wei, "jonh smith" John Smith.

A word of the query that starts no indexed term is compared, with rapidfuzz, against the
vocabulary near it: the distinct terms that share its first two letters or its first and third
(which catches the second and third letters swapped, "wnag" for "wang"), read from the term
index by a loose index scan capped at CANDIDATES_PER_RANGE terms each. So a correction reads a
few hundred index entries, never the guests table, and costs one statement for all the words of
a query. A typo in the first letter, or a wrong second letter that is not a swap, is not
corrected.
"""
import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import OSA

from guestrel.guests.models import GuestSearchTerm
from guestrel.guests.search import HAN_RUN, TOP, distinct_values

# Shorter words have too many neighbours one edit away to guess which was meant.
MIN_LENGTH = 3
CANDIDATES_PER_RANGE = 400
# Corrections kept per word: the nearest terms, all at the same distance.
MAX_ALTERNATIVES = 3
# A letter after the range's prefix: member numbers ("gr123456") sort before the words there.
AFTER_DIGITS = ":"


def correctable(token: str) -> bool:
    return len(token) >= MIN_LENGTH and token.isalpha() and not HAN_RUN.search(token)


def _max_edits(token: str) -> int:
    return 1 if len(token) <= 4 else 2


def _prefixes(token: str) -> set[str]:
    return {token[:2], token[0] + token[2]}


def vocabulary_statement(tokens) -> sa.Select:
    """Rows (source, term): for each correctable token, ("=" + token, the first term not below
    it), which starts with the token when the token is known; and for each prefix of a token,
    (prefix, a distinct term starting with it)."""
    column = GuestSearchTerm.__table__.c.term
    parts = []
    for token in sorted(tokens):
        probe = sa.select(column).where(column >= token).order_by(column).limit(1).scalar_subquery()
        parts.append(sa.select(sa.literal("=" + token).label("source"), probe.label("term")))
    prefixes = sorted({prefix for token in tokens for prefix in _prefixes(token)})
    for index, prefix in enumerate(prefixes):
        scan = distinct_values(column, f"vocabulary_{index}", lower=prefix + AFTER_DIGITS, upper=prefix + TOP,
                               cap=CANDIDATES_PER_RANGE)
        parts.append(sa.select(sa.literal(prefix).label("source"), scan.c.value).where(scan.c.value.is_not(None)))
    return sa.union_all(*parts)


def unknown(tokens, rows) -> set[str]:
    """The tokens no indexed term starts with, from the rows of vocabulary_statement."""
    first_at = {source[1:]: term for source, term in rows if source.startswith("=")}
    return {token for token in tokens if not (first_at.get(token) or "").startswith(token)}


def corrections(tokens, rows) -> dict[str, list[str]]:
    """For each token, the nearest terms of the vocabulary rows within its allowed edits that it
    does not already start: the token's alternatives, nearest first."""
    by_prefix = {}
    for source, term in rows:
        if not source.startswith("="):
            by_prefix.setdefault(source, set()).add(term)
    found = {}
    for token in tokens:
        candidates = sorted(
            term for prefix in _prefixes(token) for term in by_prefix.get(prefix, ())
            if not term.startswith(token)
        )
        matches = process.extract(token, candidates, scorer=OSA.distance, score_cutoff=_max_edits(token),
                                  limit=None)
        if matches:
            nearest = min(distance for _term, distance, _index in matches)
            # Among equally near terms, those as long as the token: "jonh" is "john" before "jon".
            best = sorted((term for term, distance, _index in matches if distance == nearest),
                          key=lambda term: (abs(len(term) - len(token)), term))
            found[token] = best[:MAX_ALTERNATIVES]
    return found
