"""What front-desk staff type into the search box, made from seeded guests: names as stored,
their starts, pinyin with and without spaces, a name with one typo, a phone number in the
formats people write it, a member number. And the SQL each search runs, captured once so the
baseline can time the bare statements."""
import math
import re
from dataclasses import dataclass

import sqlalchemy as sa

from guestrel.extensions import db
from guestrel.guests import finder, search

KINDS = ("full_name", "family_prefix", "two_tokens", "pinyin_spaced", "pinyin_joined", "one_typo", "phone",
         "member_number")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SeededGuest:
    id: int
    given_name: str
    family_name: str
    full_name: str
    phone: str | None
    member_number: str | None

    @property
    def chinese(self) -> bool:
        return search.HAN_RUN.match(self.full_name) is not None

    @property
    def words(self) -> list[str]:
        """The name as typed in Latin letters: pinyin family name first, or given then family."""
        if self.chinese:
            return search.name_words(self.full_name)
        return [self.given_name.lower(), self.family_name.lower()]


def guests_of(connection, guest_ids) -> list[SeededGuest]:
    rows = connection.execute(
        sa.text("SELECT id, given_name, family_name, full_name, phone, member_number FROM guests WHERE id IN :ids")
        .bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": guest_ids},
    ).all()
    by_id = {row.id: SeededGuest(*row) for row in rows}
    return [by_id[guest_id] for guest_id in guest_ids]


def _one_typo(word: str, rng) -> str:
    """Two neighbouring letters swapped or one replaced, past the first two letters (see
    guestrel.guests.typos for why those are kept)."""
    while True:
        at = rng.randrange(2, len(word) - 1)
        if rng.random() < 0.5:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        else:
            typo = word[:at] + rng.choice(LETTERS) + word[at + 1:]
        if typo != word:
            return typo


def _phone(phone: str, rng) -> str:
    """+8613000001234 as "+86 130 0000 1234", "13000001234" or "130-0000-1234"; other countries'
    numbers keep their country code: the desk reads numbers without one as Chinese."""
    country, national = ("+86", phone[3:]) if phone.startswith("+86") else (phone[:2], phone[2:])
    groups = re.findall(r"\d{1,4}", national[:3]) + re.findall(r"\d{1,4}", national[3:])
    style = rng.randrange(3)
    if style == 0:
        return " ".join([country, *groups])
    if country == "+86":
        return national if style == 1 else "-".join(groups)
    return country + national if style == 1 else "-".join([country, *groups])


def _query(kind: str, guest: SeededGuest, rng) -> str | None:
    """The query of this kind for the guest, None when the guest has nothing to search it by."""
    words = guest.words
    if kind == "full_name":
        return guest.full_name
    if kind == "family_prefix":
        return guest.family_name[:3]
    if kind == "two_tokens":
        return f"{guest.family_name.lower()} {guest.given_name[:2].lower()}"
    if kind in ("pinyin_spaced", "pinyin_joined"):
        return (" " if kind == "pinyin_spaced" else "").join(words) if guest.chinese else None
    if kind == "one_typo":
        longest = max(range(len(words)), key=lambda index: len(words[index]))
        if len(words[longest]) < 4:
            return None
        return " ".join(_one_typo(word, rng) if index == longest else word for index, word in enumerate(words))
    if kind == "phone":
        return guest.phone and _phone(guest.phone, rng)
    return guest.member_number and rng.choice([guest.member_number, guest.member_number.lower()])


def queries(guests: list[SeededGuest], count: int, rng) -> list[tuple[str, str]]:
    """`count` (kind, query) pairs, as many of each kind, in shuffled order."""
    per_kind = math.ceil(count / len(KINDS))
    made = []
    for kind in KINDS:
        of_kind = [(kind, query) for guest in guests if (query := _query(kind, guest, rng))]
        made += of_kind[:per_kind]
    rng.shuffle(made)
    return made[:count]


def statements_of(app, principal, query: str, limit: int) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters, as sent to the driver) the search box runs
    for the query."""
    statements = []

    def record(_connection, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    with app.test_request_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            finder.find_guests(principal, q=query, limit=limit)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
            db.session.remove()
    return statements
