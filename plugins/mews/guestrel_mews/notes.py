"""guestrel's block in a Mews customer's Notes.

Mews has one free-text Notes field per customer, which front-desk staff also write in. guestrel
owns only the part between its two markers and rewrites it whole on every push; whatever staff
wrote around it is kept as it is. The same fact always gives the same notes.
"""
import re

BEGIN = "[guestrel]"
END = "[/guestrel]"
_BLOCK = re.compile(r"\s*" + re.escape(BEGIN) + r".*?" + re.escape(END) + r"\s*", re.DOTALL)


def _line(value: str) -> str:
    # A preference is one line, and cannot close or open our block.
    return " ".join(value.replace(BEGIN, "").replace(END, "").split())


def block(preferences, tier_code: str | None) -> str:
    lines = [BEGIN]
    if tier_code:
        lines.append(f"Tier: {_line(tier_code)}")
    lines.extend(f"- {line}" for line in map(_line, preferences) if line)
    lines.append(END)
    return "\n".join(lines)


def merged(notes: str | None, preferences, tier_code: str | None) -> str:
    """`notes` with guestrel's block replaced by (or, the first time, followed by) the new one."""
    staff = _BLOCK.sub("\n\n", notes or "").strip()
    new_block = block(preferences, tier_code)
    return f"{staff}\n\n{new_block}" if staff else new_block
