"""Alert rules: which rules a check-in matches, from the alert's content.

Conditions (`value` is the rule's parameter):
- vip_code: the guest's VIP code is `value` (any case);
- member: the guest has a loyalty member number;
- first_stay_in_chain / first_stay_at_hotel: no earlier stay (in house or checked out) in the
  chain / at this hotel;
- stays_at_least: this is at least the `value`-th stay in the chain;
- allergy: the guest has an allergy or a critical preference;
- occasion_during_stay: a birthday, anniversary or special date falls during the stay;
- nationality: the guest's nationality is `value` (an ISO 3166 code);
- language: the guest's language is `value` or a variant of it (`zh` matches `zh-CN`);
- tier: the guest's loyalty tier is the one with the code `value`.
A check-in without a known guest matches only first_stay_*: nothing else is known of it.
"""
from flask_babel import lazy_gettext as _l

CONDITION_LABELS = {
    "vip_code": _l("VIP code is"),
    "member": _l("Is a loyalty member"),
    "first_stay_in_chain": _l("First stay in the chain"),
    "first_stay_at_hotel": _l("First stay at this hotel"),
    "stays_at_least": _l("Stays in the chain, at least"),
    "allergy": _l("Has an allergy"),
    "occasion_during_stay": _l("An occasion falls during the stay"),
    "nationality": _l("Nationality is"),
    "language": _l("Language is"),
    "tier": _l("Loyalty tier is"),
}
# The conditions that need a value, and what it is.
VALUE_KINDS = {"vip_code": "text", "stays_at_least": "count", "nationality": "country", "language": "language",
               "tier": "tier"}


def matches(condition: str, value: str | None, content: dict) -> bool:
    guest = content["guest"]
    earlier = content["earlier_stays"]
    if condition == "first_stay_in_chain":
        return earlier["chain"] == 0
    if condition == "first_stay_at_hotel":
        return earlier["hotel"] == 0
    if guest is None:
        return False
    if condition == "vip_code":
        return (guest["vip_code"] or "").casefold() == (value or "").casefold()
    if condition == "member":
        return bool(guest["member_number"])
    if condition == "stays_at_least":
        return earlier["chain"] + 1 >= int(value)
    if condition == "allergy":
        return bool(content["allergies"])
    if condition == "occasion_during_stay":
        return bool(content["occasions"])
    if condition == "nationality":
        return (guest["nationality"] or "") == value
    if condition == "language":
        language = (guest["language"] or "").lower()
        return language == value.lower() or language.startswith(value.lower() + "-")
    if condition == "tier":
        # Alerts raised before the loyalty programme have no tier in their content.
        return (guest.get("tier") or {}).get("code") == value
    raise ValueError(f"unknown alert rule condition {condition!r}")


def matching(rules, content: dict) -> list[dict]:
    """The rules (enabled, of the hotel or the chain) that the check-in matches, as shown."""
    return [{"id": rule.id, "name": rule.name, "text": rule.text}
            for rule in rules if matches(rule.condition, rule.value, content)]
