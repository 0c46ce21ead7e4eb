"""Demo data: a chain of two hotels, one staff member per role, the loyalty tiers and a few hundred
guests with preferences, special dates and tiers, so a new installation shows the product working
at once.

Everything is written through the services, exactly as staff and integrations would write it,
so the demo data is searchable, audited and valid by the same rules. The guests are drawn from a
seeded random generator: every installation gets the same demo guests, and a second run finds
them by their demo PMS ids and adds nothing.

Each hotel gets a connection to the simulated demo PMS (the demo_pms plugin), which knows some
of these guests by their demo PMS ids and books them again and again among invented ones; Mr.
Li Wei, a Hangzhou regular, is booked there for the day after the seed, so his carrot juice
story plays at once.
"""
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from pypinyin import lazy_pinyin

from guestrel.auth import service as auth_service
from guestrel.auth.forms import ROLE_LABELS
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.alerts import rule_service
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.loyalty import points as loyalty_points
from guestrel.loyalty import service as loyalty_service
from guestrel.plugins import manager
from guestrel.properties import service as properties_service
from guestrel.sync import connections

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
ADDRESS = "http://127.0.0.1:8000"
# Printed for everyone to read: these accounts exist only to try guestrel out.
DEMO_PASSWORD = "guestrel-demo"
EXTERNAL_SYSTEM = "demo_pms"
SEED = 20_101_001
# How many demo guests each hotel's simulated PMS books again and again. Each is a regular of one
# hotel only: the hotels are simulated apart, and could otherwise have a guest in house at both.
KNOWN_GUESTS_PER_HOTEL = 12
CARROT_JUICE_HOTEL = "HGH"

HOTELS = (
    ("SHA", "Shanghai Bund Hotel", "Asia/Shanghai", "CNY"),
    ("HGH", "Hangzhou West Lake Hotel", "Asia/Shanghai", "CNY"),
)
# (e-mail, name, role, hotels)
STAFF = (
    ("frontdesk@demo.guestrel.test", "Zhou Min", "front_desk", ("SHA",)),
    ("housekeeping@demo.guestrel.test", "Chen Jing", "housekeeping", ("SHA",)),
    ("marketing@demo.guestrel.test", "Emma Wilson", "marketing", ("SHA", "HGH")),
    ("manager@demo.guestrel.test", "Wang Lei", "manager", ("SHA", "HGH")),
    ("admin@demo.guestrel.test", "Demo Administrator", "admin", ()),
)

# (code, name, rank, benefits)
TIERS = (
    ("SILVER", "Silver", 10, ["Welcome drink at the bar"]),
    ("GOLD", "Gold", 20, ["Late check-out until 14:00", "Welcome fruit in the room"]),
    ("PLATINUM", "Platinum", 30, ["Late check-out until 16:00", "Club lounge access", "Upgrade when available"]),
)
PLATINUM_RULE = {"name": "Platinum welcome", "condition": "tier", "value": "PLATINUM",
                 "text": "Greet them by name and escort them to the club lounge."}

# Names as guests write them; (name, "m" or "f") for given names, for the salutation.
CHINESE_FAMILY = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 宋 欧阳".split()
CHINESE_GIVEN = [(n, "m") for n in "伟 磊 军 勇 杰 涛 明 超 浩然 建国 志伟 子轩 宇航".split()] + [
    (n, "f") for n in "芳 敏 静 艳 娜 秀英 晓红 婷婷 欣怡 嘉慧 雨桐 梓涵".split()
]
WESTERN_FAMILY = ("Smith Johnson Brown Taylor Wilson Anderson Müller Schmidt Weiß García Martínez Dubois "
                  "Lefèvre Rossi Andersson Jørgensen Nowak O'Brien Novák Fernández").split()
WESTERN_GIVEN = [(n, "m") for n in "James Michael David Thomas Peter José François Björn Jürgen Søren Luca".split()] + [
    (n, "f") for n in "Mary Sarah Emma Anna Sophie Zoë Chloé Renée Inés Małgorzata Giulia".split()
]
JAPANESE_FAMILY = [("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
                   ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura")]
JAPANESE_GIVEN = [("翔太", "shota", "m"), ("大輝", "daiki", "m"), ("健太", "kenta", "m"), ("蓮", "ren", "m"),
                  ("陽菜", "hina", "f"), ("美咲", "misaki", "f"), ("結衣", "yui", "f"), ("さくら", "sakura", "f")]
KOREAN_FAMILY = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang")]
KOREAN_GIVEN = [("민준", "minjun", "m"), ("지훈", "jihun", "m"), ("현우", "hyunwoo", "m"), ("도윤", "doyun", "m"),
                ("서연", "seoyeon", "f"), ("수빈", "subin", "f"), ("지민", "jimin", "f"), ("예은", "yeeun", "f")]
WESTERN_COUNTRIES = [("US", "en"), ("GB", "en"), ("AU", "en"), ("DE", "de"), ("FR", "fr"), ("ES", "es"),
                     ("IT", "it"), ("SE", "sv"), ("DK", "da"), ("PL", "pl")]
COMPANIES = ("Bund Capital", "West Lake Tea Co.", "Pudong Trading", "Nordlicht GmbH", "Sakura Electronics",
             "Hanriver Logistics", "Lumière Conseil", "Jade Pharma", "Silk Road Travel", "Blue Harbour Shipping")
NOTES = ("Travels with a small dog.", "Often arrives after midnight.", "Prefers to be addressed in English.",
         "Corporate rate; invoices go to the company.", "Regular guest since 2016.")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

# (category, value, detail, alert at check-in, prepare before arrival, hotel the preference is limited to)
PREFERENCES = (
    ("bed_and_pillow", "Feather-free pillow", "Allergic to down: synthetic pillows only.", False, True, None),
    ("bed_and_pillow", "Two extra pillows", None, False, True, None),
    ("bed_and_pillow", "Firm mattress", None, False, True, None),
    ("floor_and_view", "High floor", "Above the 15th floor if possible.", True, False, None),
    ("floor_and_view", "Room facing the Bund", None, True, False, "SHA"),
    ("floor_and_view", "Lake view", "Rooms on the West Lake side.", True, False, "HGH"),
    ("room", "Quiet room", "Away from the lift and the ice machine.", True, False, None),
    ("room", "Bathtub", None, True, False, None),
    ("temperature", "Room cooled to 21 °C", None, False, True, None),
    ("temperature", "Extra blanket", None, False, True, None),
    ("food_and_drink", "Still water", "Two bottles at room temperature, no ice.", False, True, None),
    ("food_and_drink", "Longjing green tea", "A tin of West Lake Longjing in the room.", False, True, "HGH"),
    ("food_and_drink", "Black coffee at breakfast", None, False, False, None),
    ("food_and_drink", "Fresh fruit plate", None, False, True, None),
    ("service", "Late check-out", "Usually until 14:00.", True, False, None),
    ("service", "Early check-in", None, True, False, None),
    ("service", "No housekeeping before 11:00", None, False, False, None),
    ("communication", "Newspaper: South China Morning Post", "Under the door by 07:00.", False, True, None),
    ("communication", "Newspaper: China Daily", None, False, True, None),
    ("communication", "Messages by WeChat", None, True, False, None),
    ("amenities", "Yoga mat", None, False, True, None),
    ("amenities", "Baby cot", None, False, True, None),
    ("dietary_and_allergy", "Allergy to peanuts", "Severe: tell the kitchen for every meal.", True, True, None),
    ("dietary_and_allergy", "Allergy to shellfish", None, True, False, None),
    ("dietary_and_allergy", "Gluten-free", None, True, False, None),
    ("dietary_and_allergy", "Vegetarian", None, False, False, None),
)
SOURCES = ("staff",) * 6 + ("guest",) * 3 + ("pms",)
OCCASIONS = ("Wedding anniversary", "Daughter's birthday", "Company founding day", "First stay with us")

CARROT_JUICE_GUEST = {
    "salutation": "Mr.", "family_name": "李", "given_name": "伟", "full_name": "李伟",
    "email": "li.wei@example.com", "phone": "+86 138 0013 8000", "nationality": "CN", "language": "zh-CN",
    "vip_code": "GOLD", "company": "Bund Capital",
    "notes": "Told the general manager his favourite drink is carrot juice; has had it on every stay since.",
}
CARROT_JUICE = {
    "category": "food_and_drink", "value": "Carrot juice", "detail": "A large glass in the fridge before arrival",
    "property_code": None, "source": "staff", "alert_at_check_in": True, "prepare_before_arrival": True,
    "priority": "high",
}


@dataclass
class DemoGuest:
    external_id: str
    profile: dict
    # (data, then "confirm", "retire" or None)
    preferences: list = field(default_factory=list)
    special_dates: list = field(default_factory=list)
    tier: str | None = None
    points: int = 0


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l").replace("ß", "ss"))
    return "".join(c for c in folded if c.isascii() and c.isalpha()).lower()


def _phone(rng: random.Random, country: str) -> str:
    def digits(count):
        return "".join(rng.choice("0123456789") for _digit in range(count))

    numbers = {
        # Written as front desks type them: Chinese mobiles often without the country code.
        "CN": lambda: f"{rng.choice(('+86 ', ''))}1{rng.choice(('38', '39', '50', '86'))} {digits(4)} {digits(4)}",
        "JP": lambda: f"+81 90-{rng.choice('12345678')}{digits(3)}-{digits(4)}",
        "KR": lambda: f"+82 10-{rng.choice('234')}{digits(3)}-{digits(4)}",
        "US": lambda: f"+1 (212) 555-01{digits(2)}",
        "GB": lambda: f"+44 20 7946 0{digits(3)}",
        "DE": lambda: f"+49 30 {digits(8)}",
        "FR": lambda: f"+33 1 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
    }
    return numbers.get(country, numbers["US"])()


def _name(rng: random.Random) -> tuple[dict, str, str]:
    """A guest's names, the e-mail local part they suggest, and "m" or "f"."""
    culture = rng.choices(("cn", "west", "jp", "kr"), weights=(60, 25, 8, 7))[0]
    if culture == "cn":
        family, (given, sex) = rng.choice(CHINESE_FAMILY), rng.choice(CHINESE_GIVEN)
        names = {"family_name": family, "given_name": given, "full_name": family + given,
                 "nationality": "CN", "language": "zh-CN"}
        return names, ".".join(("".join(lazy_pinyin(given)), "".join(lazy_pinyin(family)))), sex
    if culture == "west":
        family, (given, sex) = rng.choice(WESTERN_FAMILY), rng.choice(WESTERN_GIVEN)
        country, language = rng.choice(WESTERN_COUNTRIES)
        names = {"family_name": family, "given_name": given, "nationality": country, "language": language}
        return names, f"{_ascii(given)}.{_ascii(family)}", sex
    family_names, given_names, country, language = {
        "jp": (JAPANESE_FAMILY, JAPANESE_GIVEN, "JP", "ja"),
        "kr": (KOREAN_FAMILY, KOREAN_GIVEN, "KR", "ko"),
    }[culture]
    (family, family_latin), (given, given_latin, sex) = rng.choice(family_names), rng.choice(given_names)
    names = {"family_name": family, "given_name": given, "full_name": family + given,
             "nationality": country, "language": language}
    return names, f"{given_latin}.{family_latin}", sex


def _random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days))


def _guest(rng: random.Random, number: int) -> DemoGuest:
    profile, mailbox, sex = _name(rng)
    profile["salutation"] = rng.choice(("Mr." if sex == "m" else "Ms.",) * 4 + ("Dr.",))
    if rng.random() < 0.85:
        profile["email"] = f"{mailbox}{number}@{rng.choice(EMAIL_DOMAINS)}"
    if rng.random() < 0.75:
        profile["phone"] = _phone(rng, profile["nationality"])
    if rng.random() < 0.6:
        profile["birthday"] = _random_date(rng, date(1948, 1, 1), date(2003, 12, 31))
    if rng.random() < 0.15:
        profile["anniversary"] = _random_date(rng, date(1980, 1, 1), date(2023, 12, 31))
    if rng.random() < 0.3:
        profile["company"] = rng.choice(COMPANIES)
    if rng.random() < 0.08:
        profile["vip_code"] = rng.choice(("GOLD", "PLATINUM", "VIP1"))
    if rng.random() < 0.1:
        profile["notes"] = rng.choice(NOTES)
    # Drawn apart, so the tiers leave the rest of every demo guest as it always was.
    loyalty = random.Random(f"{SEED}-tier-{number}")
    tier = loyalty.choices((None, "SILVER", "GOLD", "PLATINUM"), (12, 4, 3, 1))[0]
    guest = DemoGuest(external_id=f"DEMO-{number:05d}", profile=profile, tier=tier,
                      points=loyalty.randrange(1, 60) * 100 if tier else 0)
    for category, value, detail, alert, prepare, hotel in rng.sample(PREFERENCES, rng.choice((0, 1, 1, 2, 2, 3))):
        if hotel is None and category != "dietary_and_allergy":
            # Some guests want a thing only at one hotel; an allergy holds everywhere.
            hotel = rng.choices((None, "SHA", "HGH"), (8, 1, 1))[0]
        data = {"category": category, "value": value, "detail": detail, "alert_at_check_in": alert,
                "prepare_before_arrival": prepare, "property_code": hotel, "source": rng.choice(SOURCES),
                "priority": rng.choices(("normal", "high", "low"), (7, 2, 1))[0]}
        guest.preferences.append((data, rng.choices((None, "confirm", "retire"), (6, 3, 1))[0]))
    if rng.random() < 0.2:
        guest.special_dates.append({"kind": "other", "label": rng.choice(OCCASIONS),
                                    "date": _random_date(rng, date(1990, 1, 1), date(2024, 12, 31))})
    return guest


def demo_guests(count: int) -> list[DemoGuest]:
    """The same guests on every run: Mr. Li Wei and his carrot juice first, then `count - 1` more."""
    rng = random.Random(SEED)
    li_wei = DemoGuest(
        external_id="DEMO-00000",
        profile=dict(CARROT_JUICE_GUEST),
        preferences=[(CARROT_JUICE, "confirm")],
        special_dates=[{"kind": "other", "label": "First stay with us", "date": date(2015, 10, 1)}],
        tier="PLATINUM",
        points=12_400,
    )
    return [li_wei] + [_guest(rng, number) for number in range(1, count)]


# -- writing it -------------------------------------------------------------------------------


def _ensure_hotels() -> int:
    existing = {prop.code for prop in properties_service.list_properties(SYSTEM)}
    for code, name, timezone, currency in HOTELS:
        if code not in existing:
            properties_service.create_property(SYSTEM, code=code, name=name, timezone=timezone, currency=currency)
    return len({code for code, *_rest in HOTELS} - existing)


def _ensure_tiers():
    """The chain's loyalty tiers, and an alert rule for its best guests."""
    existing = loyalty_service.tier_codes()
    for code, name, rank, benefits in TIERS:
        if code not in existing:
            loyalty_service.create_tier(SYSTEM, {"code": code, "name": name, "rank": rank, "benefits": benefits})
    if not any(rule.name == PLATINUM_RULE["name"] for rule in rule_service.list_rules(SYSTEM)):
        rule_service.create_rule(SYSTEM, PLATINUM_RULE)


def _ensure_staff() -> int:
    existing = {staff.email for staff in auth_service.list_staff(SYSTEM)}
    created = 0
    for email, name, role, hotels in STAFF:
        if email not in existing:
            auth_service.create_staff(email=email, name=name, password=DEMO_PASSWORD, role=role,
                                      properties=properties_service.get_by_codes(hotels), principal=SYSTEM)
            created += 1
    return created


def _is_stored(guest: DemoGuest) -> bool:
    page = guest_service.search_guests(
        SYSTEM, external_system=EXTERNAL_SYSTEM, external_id=guest.external_id, limit=1
    )
    return bool(page.items)


def _store(guest: DemoGuest, owner_id: int | None):
    profile = dict(guest.profile, external_ids=[{"system": EXTERNAL_SYSTEM, "external_id": guest.external_id}])
    if profile.get("vip_code"):
        profile["account_owner_id"] = owner_id
    guest_id = guest_service.create_guest(SYSTEM, profile).id
    for data, follow_up in guest.preferences:
        preference = preference_service.add_preference(SYSTEM, guest_id, data)
        if follow_up == "confirm":
            preference_service.confirm_preference(SYSTEM, guest_id, preference.id)
        elif follow_up == "retire":
            preference_service.retire_preference(SYSTEM, guest_id, preference.id)
    for data in guest.special_dates:
        guest_service.add_special_date(SYSTEM, guest_id, data)
    if guest.tier:
        loyalty_service.set_guest_tier(SYSTEM, guest_id, guest.tier)
    if guest.points:
        loyalty_points.record(SYSTEM, guest_id, {"kind": "award", "points": guest.points, "reason": "Stays before guestrel",
                                                 "idempotency_key": f"demo-{guest.external_id}"})


def _ensure_guests(count: int) -> int:
    guests = demo_guests(count)
    if _is_stored(guests[-1]):
        return 0
    # Only an interrupted earlier run leaves some of them: then each is looked up first.
    resuming = _is_stored(guests[0])
    owner = next((s for s in auth_service.list_staff(SYSTEM) if s.email == "manager@demo.guestrel.test"), None)
    missing = [guest for guest in guests if not (resuming and _is_stored(guest))]
    for guest in missing:
        _store(guest, owner.id if owner else None)
    return len(missing)


def _known_guest(guest: DemoGuest) -> dict:
    """The guest as the demo PMS knows them: its id for them and what a PMS profile holds."""
    known = {"external_id": guest.external_id}
    return known | {name: guest.profile[name] for name in ("given_name", "family_name", "email", "phone")
                    if guest.profile.get(name)}


def _demo_pms_settings(index: int, hotel: tuple, guests: list[DemoGuest]) -> dict:
    code, name, timezone, currency = hotel
    regulars = [_known_guest(guest) for guest in
                guests[1 + index * KNOWN_GUESTS_PER_HOTEL:1 + (index + 1) * KNOWN_GUESTS_PER_HOTEL]]
    if code == CARROT_JUICE_HOTEL:
        tomorrow = datetime.now(ZoneInfo(timezone)).date() + timedelta(days=1)
        regulars.insert(0, _known_guest(guests[0]) | {"arrival": tomorrow.isoformat()})
    return {"hotel_code": code, "hotel_name": name, "timezone": timezone, "currency": currency, "seed": SEED,
            "guests": regulars}


def _ensure_demo_pms(guest_count: int) -> list[str] | None:
    """A connection to the simulated PMS for each hotel that has none; the codes of the hotels
    connected, or None when the demo_pms plugin is not installed."""
    if EXTERNAL_SYSTEM not in manager.adapters(current_app):
        return None
    existing = {(view.connection.adapter, view.property_code) for view in connections.list_connections(SYSTEM)}
    guests = demo_guests(guest_count)
    created = []
    for index, hotel in enumerate(HOTELS):
        if (EXTERNAL_SYSTEM, hotel[0]) not in existing:
            connections.create_connection(SYSTEM, {
                "adapter": EXTERNAL_SYSTEM, "property_code": hotel[0], "name": f"Demo PMS, {hotel[1]}",
                "settings": _demo_pms_settings(index, hotel, guests),
            })
            created.append(hotel[0])
    return created


def seed(guest_count: int = 300):
    """Create what is missing of the demo data, yielding lines to show the operator."""
    yield _("Loading the demo data…")
    hotels, staff = _ensure_hotels(), _ensure_staff()
    _ensure_tiers()
    guests = _ensure_guests(max(guest_count, 1))
    pms = _ensure_demo_pms(max(guest_count, 1))
    if hotels or staff or guests or pms:
        yield _("Added %(hotels)d hotels, %(staff)d staff members and %(guests)d guests.",
                hotels=hotels, staff=staff, guests=guests)
    else:
        yield _("The demo data is already there; nothing was changed.")
    if pms is None:
        yield _("The demo_pms plugin is not installed, so no arrivals are simulated.")
    elif pms:
        yield _("Connected %(count)d hotels to the simulated demo PMS: it books arrivals and checks guests in "
                "and out while guestrel runs.", count=len(pms))
        if CARROT_JUICE_HOTEL in pms:
            yield _("Mr. Li Wei, who has carrot juice in his fridge, arrives at Hangzhou tomorrow.")
    yield ""
    yield _("Open guestrel at %(address)s and sign in with one of these demo accounts.", address=ADDRESS)
    yield _("The password of every demo account is: %(password)s", password=DEMO_PASSWORD)
    for email, _staff_name, role, hotels in STAFF:
        where = ", ".join(hotels) if hotels else _("whole chain")
        yield f"  {ROLE_LABELS[role]} ({where}): {email}"
