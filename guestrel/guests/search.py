"""Guest search: the terms a guest is found by, and the single SQL statement that finds guests.

A guest's names, e-mail and member number become normalised terms in guest_search_terms (accents and case
folded, Chinese names also in pinyin). A query matches a guest when every query token is a prefix
of one of the guest's terms: a range `term >= token AND term < token + TOP` of the index on
(term, guest_id), so a search stays a few index reads with a million guests.

E-mail terms start with EMAIL_MARK, which no word of a name can start with: a name search
never reaches an address, so staff who may not see addresses cannot find guests by them.
"""
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin, pinyin
from sqlalchemy.orm import aliased

from guestrel.guests.models import Guest, GuestExternalId, GuestSearchTerm

TERM_MAX_LENGTH = 120
# More tokens than this add little precision and one index scan each.
MAX_QUERY_TOKENS = 8
# The highest code point: `term >= t AND term < t + TOP` holds exactly for terms starting with t,
# both in Python's code-point order and in the byte order of UTF-8 used by SQLite and by the
# "C" collation of the term column on PostgreSQL.
TOP = "\U0010ffff"
EMAIL_MARK = "@"

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Han characters and other letters form separate words, so "张wei" is searched as 张 and wei.
WORD = re.compile(rf"[{HAN}]+|[^\W_{HAN}]+")
HAN_RUN = re.compile(rf"[{HAN}]+")
# Letters that carry their mark inside them, so dropping accents leaves them be; people type
# them as the plain letters (Łukasz as lukasz, Işık as isik, Søren as soren).
PLAIN_LETTERS = str.maketrans({
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th",
})


def fold(text: str) -> str:
    """Compatibility forms unified, case folded, accents dropped: "José" -> "jose", "ＡＢ" -> "ab"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(PLAIN_LETTERS)


def _pinyin_terms(han: str) -> set[str]:
    """张伟 -> zhang, wei, zhangwei. Every reading of a character is a syllable, and every reading
    of the first one starts a joined form: 曾 is read zeng as a family name, ceng in a word. ü is
    written both v and u, as people type either."""
    default = lazy_pinyin(han, style=Style.NORMAL)
    readings = pinyin(han, style=Style.NORMAL, heteronym=True)
    joined = "".join(default)
    rest = joined[len(default[0]):]
    terms = set(default).union(*readings) | {joined} | {first + rest for first in readings[0]}
    terms |= {term.replace("v", "u") for term in terms if "v" in term}
    return {term for term in terms if term}


def _word_terms(text: str) -> set[str]:
    folded = fold(text)
    terms = set(WORD.findall(folded))
    for han in HAN_RUN.findall(folded):
        terms |= _pinyin_terms(han)
    return terms


def name_words(text: str) -> list[str]:
    """The words of a name as one spelling, Chinese in pinyin syllables of the usual reading:
    "张伟", "Zhang Wei" and "ZHANG wei" all give zhang, wei."""
    words = []
    for word in WORD.findall(fold(text)):
        words.extend(lazy_pinyin(word, style=Style.NORMAL) if HAN_RUN.fullmatch(word) else [word])
    return words


def _is_han(text: str | None) -> bool:
    return bool(text) and HAN_RUN.fullmatch(fold(text).strip()) is not None


def terms_for(given_name, family_name, full_name, email, member_number=None) -> set[str]:
    """Every term a guest is found by."""
    terms = set()
    for name in (given_name, family_name, full_name):
        if name:
            terms |= _word_terms(name)
    # Chinese names are said and typed family name first, without a space: 张伟, zhangwei.
    if _is_han(family_name) and _is_han(given_name):
        terms |= _word_terms(family_name.strip() + given_name.strip())
    if email:
        # Found by the start of the address or of its domain: "li.wei@", "@example.com", "example.com".
        address = unicodedata.normalize("NFKC", email).strip().lower()
        terms.add(EMAIL_MARK + address)
        terms.add(EMAIL_MARK + address.rpartition("@")[2])
    if member_number:
        # Typed whole or in the groups printed on the card: "GR-1234-56", "gr123456", "1234".
        words = _word_terms(member_number)
        terms |= words | {"".join(WORD.findall(fold(member_number)))}
    return {term[:TERM_MAX_LENGTH] for term in terms if term}


# Part of an address without its @: "li.wei", "example.com". Also how "St.John" is written, so
# it is read both ways.
DOTTED = re.compile(r"[^\s@.]+(?:\.[^\s@.]*)+")


def _email_token(chunk: str) -> str | None:
    rest = chunk.lower().lstrip("@")
    # A lone @ would match every address.
    return (EMAIL_MARK + rest)[:TERM_MAX_LENGTH] if rest else None


def _needed(tokens: set[str]) -> list[str]:
    # A token that starts another token adds nothing: "wa" matches wherever "wang" does.
    needed = [t for t in tokens if not any(o != t and o.startswith(t) for o in tokens)]
    return sorted(needed, key=lambda t: (-len(t), t))[:MAX_QUERY_TOKENS]


def _tokens(query: str, dotted_as_email: bool) -> list[str]:
    tokens = set()
    for chunk in unicodedata.normalize("NFKC", query).split():
        if "@" in chunk or (dotted_as_email and DOTTED.fullmatch(chunk)):
            tokens.update(filter(None, [_email_token(chunk)]))
        else:
            tokens.update(word[:TERM_MAX_LENGTH] for word in WORD.findall(fold(chunk)))
    return _needed(tokens)


def query_tokens(query: str) -> list[str]:
    """The tokens a query must all match, most selective (longest) first. A word with an @ is
    the start of an e-mail address or, starting with the @, of its domain; the rest is folded
    and split like names."""
    return _tokens(query, dotted_as_email=False)


def email_query_tokens(query: str) -> list[str]:
    """The query read as part of an e-mail address: as query_tokens, but a dotted word without
    an @ ("li.wei", "example.com") is the start of an address or of its domain. Empty when the
    query has no such word, so this reading would add nothing to query_tokens."""
    chunks = unicodedata.normalize("NFKC", query).split()
    if not any("@" not in chunk and DOTTED.fullmatch(chunk) for chunk in chunks):
        return []
    return _tokens(query, dotted_as_email=True)


@dataclass(frozen=True)
class _Criterion:
    """The guests meeting one criterion: `guest_id` of the rows of its table meeting `where`."""

    guest_id: sa.ColumnElement
    where: tuple


def distinct_values(column, name: str, *, lower=None, upper=None, cap: int | None = None) -> sa.CTE:
    """The distinct values of an indexed column in [lower, upper), ascending, at most `cap` of
    them: a loose index scan, one index seek per value however many rows share it (a plain
    DISTINCT would read every row of every value)."""
    def first(*where):
        return sa.select(column).where(*where).order_by(column).limit(1).scalar_subquery()

    bounds = [] if upper is None else [column < upper]
    start = [column >= lower] if lower is not None else []
    values = sa.select(first(*start, *bounds).label("value"), sa.literal(1).label("n")).cte(name, recursive=True)
    more = [values.c.value.is_not(None)] + ([values.c.n < cap] if cap is not None else [])
    return values.union_all(sa.select(first(column > values.c.value, *bounds), values.c.n + 1).where(*more))


def external_systems_statement() -> sa.Select:
    """The systems guests have ids in: an id looked up in each of these few is one read of the
    unique index on (system, external_id) each, where the id alone would scan the table."""
    systems = distinct_values(GuestExternalId.__table__.c.system, "systems")
    return sa.select(systems.c.value).where(systems.c.value.is_not(None))


def _token_where(terms, token: str, corrected_to) -> tuple:
    if corrected_to:
        # Whole terms of the vocabulary: one index look-up each.
        return (terms.term.in_(sorted(corrected_to)),)
    return (terms.term >= token, terms.term < token + TOP)


def _criteria(tokens, *, corrections, email, phone, external_system, external_id, guest_ids) -> list[_Criterion]:
    """Most selective first: a few given ids, an external id or an e-mail name about one guest,
    a long token few."""
    criteria = []
    if guest_ids is not None:
        guest = aliased(Guest)
        criteria.append(_Criterion(guest.id, (guest.id.in_(sorted(guest_ids)), guest.merged_into_id.is_(None))))
    if external_system is not None or external_id is not None:
        external = aliased(GuestExternalId)
        where = []
        if isinstance(external_system, str):
            where.append(external.system == external_system)
        elif external_system is not None:
            where.append(external.system.in_(sorted(external_system)))
        if external_id is not None:
            where.append(external.external_id == external_id)
        criteria.append(_Criterion(external.guest_id, tuple(where)))
    for column, value in (("email", email), ("phone", phone)):
        if value is not None:
            guest = aliased(Guest)
            # A merged profile keeps its contact details as a tombstone; only its survivor is found.
            criteria.append(_Criterion(guest.id, (getattr(guest, column) == value, guest.merged_into_id.is_(None))))
    for token in tokens:
        terms = aliased(GuestSearchTerm)
        criteria.append(_Criterion(terms.guest_id, _token_where(terms, token, (corrections or {}).get(token))))
    return criteria


def _intersected(criteria, after, limit) -> sa.Select:
    """For SQLite, which has no statistics on how common a term is: each criterion's ids from its
    own index (the term index for tokens), intersected by a merge of the sorted id lists."""
    selects = []
    for criterion in criteria:
        ids = sa.select(criterion.guest_id.label("guest_id")).where(*criterion.where)
        if after is not None:
            # `+ 0` keeps SQLite from walking the primary key (guest_id, term) from `after` to the
            # end of the table: the term index is the selective one; `after` only filters it.
            ids = ids.where(criterion.guest_id + 0 > after)
        selects.append(ids)
    ids = selects[0].distinct() if len(selects) == 1 else sa.intersect(*selects)
    return ids.order_by(ids.selected_columns.guest_id).limit(limit)


def _semi_joined(criteria, after, limit) -> sa.Select:
    """For PostgreSQL: the first criterion's ids that meet the others. With its statistics the
    planner walks the primary key (guest_id, term) in id order when matches are common and stops
    at `limit`, or starts from the term index when a token is rare."""
    first, *others = criteria
    ids = sa.select(first.guest_id.label("guest_id")).where(*first.where)
    if after is not None:
        ids = ids.where(first.guest_id > after)
    for criterion in others:
        ids = ids.where(sa.exists().where(criterion.guest_id == first.guest_id, *criterion.where))
    return ids.distinct().order_by(first.guest_id).limit(limit)


def search_statement(
    dialect: str, *, tokens=(), corrections=None, other_readings=(), email=None, phone=None,
    external_system=None, external_id=None, guest_ids=None, after=None, limit=50,
) -> sa.Select:
    """Guests matching every given criterion, by id, after `after`, at most `limit` of them: one
    statement that finds, orders and cuts the page's ids in the database, then reads only the
    page's guests. `corrections` maps a token to the whole terms that match in its place (see
    guestrel.guests.typos). Each of `other_readings`, pairs (tokens, corrections), is another
    way to read the query: guests matching one of them instead (with the other criteria) are
    found too. `guest_ids` keeps only these guests; `external_system` is one system or
    several (see external_systems_statement). Merged profiles are never found: their terms and
    external ids went to the survivor, and the other criteria leave them out."""
    others = {"email": email, "phone": phone, "external_system": external_system, "external_id": external_id,
              "guest_ids": guest_ids}
    readings = [_criteria(tokens, corrections=corrections, **others)]
    readings += [_criteria(more, corrections=fixes, **others) for more, fixes in other_readings]
    if not readings[0]:
        guests = sa.select(Guest).where(Guest.merged_into_id.is_(None))
        if after is not None:
            guests = guests.where(Guest.id > after)
        return guests.order_by(Guest.id).limit(limit)
    ids_of = _semi_joined if dialect == "postgresql" else _intersected
    if len(readings) == 1:
        page = ids_of(readings[0], after, limit).subquery("page")
    else:
        # Each reading cut to a page first: the union of their pages holds the page of the union.
        either = sa.union(*(sa.select(ids_of(r, after, limit).subquery().c.guest_id) for r in readings)).subquery()
        page = sa.select(either.c.guest_id).order_by(either.c.guest_id).limit(limit).subquery("page")
    return sa.select(Guest).join(page, Guest.id == page.c.guest_id).order_by(Guest.id)
