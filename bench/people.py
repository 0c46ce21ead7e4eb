"""Guests as a PMS or a legacy export describes them, drawn from the seed's weighted names
(bench.names): the sync and import benchmarks send these through the adapters, so identity
resolution meets the same crowds of Wang Weis the seeded database holds."""
import random
from dataclasses import dataclass

import sqlalchemy as sa

from bench import names
from guestrel.guests.models import Guest, GuestExternalId

# Valid mobile numbers (the guests service refuses others): China Mobile's 139 block, and a UK
# mobile block for the other guests. A person's number is the block's base plus their number.
PHONE_BASES = {"cn": 8613900000000, "west": 447911000000}


@dataclass(frozen=True)
class Person:
    profile_id: str
    given_name: str
    family_name: str
    email: str
    phone: str
    nationality: str
    language: str

    def profile(self) -> dict:
        return {"id": self.profile_id, "given_name": self.given_name, "family_name": self.family_name,
                "email": self.email, "phone": self.phone, "nationality": self.nationality,
                "language": self.language}


class People:
    """Draws people with unique profile ids, e-mail addresses and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.count = 0
        self.cultures = [culture for culture in names.CULTURES for _ in range(culture.weight)]
        self.given = {culture.code: names.weighted(culture.given_names) for culture in names.CULTURES}
        self.family = {culture.code: names.weighted(culture.family_names) for culture in names.CULTURES}

    def draw(self) -> Person:
        rng, number = self.rng, self.count
        self.count += 1
        culture = rng.choice(self.cultures)
        given, family = rng.choice(self.given[culture.code]), rng.choice(self.family[culture.code])
        domain = rng.choice(names.EMAIL_DOMAINS)
        return Person(
            profile_id=f"P{number:07d}", given_name=given, family_name=family,
            email=f"{given.lower()}.{family.lower()}{number}@{domain}",
            phone=f"+{PHONE_BASES[culture.code] + number}", nationality=rng.choice(culture.nationalities),
            language=culture.language,
        )



def write_baseline_guests(connection, people, now) -> dict:
    """A baseline's plain inserts of the people: their guests (with ids after the highest one)
    and their profile ids as external ids of the system "baseline", one executemany each. Each
    profile id's guest id."""
    first = connection.execute(sa.select(sa.func.coalesce(sa.func.max(Guest.id), 0))).scalar_one() + 1
    guest_ids = {person.profile_id: first + index for index, person in enumerate(people)}
    connection.execute(sa.insert(Guest), [
        {"id": guest_ids[person.profile_id], "given_name": person.given_name, "family_name": person.family_name,
         "full_name": f"{person.given_name} {person.family_name}", "email": person.email, "phone": person.phone,
         "nationality": person.nationality, "language": person.language, "version": 1, "created_at": now,
         "updated_at": now}
        for person in people])
    connection.execute(sa.insert(GuestExternalId), [
        {"guest_id": guest_id, "system": "baseline", "external_id": profile_id, "created_at": now}
        for profile_id, guest_id in guest_ids.items()])
    return guest_ids
