"""How long to wait before trying a foreign system again."""
import random


def retry_delay(attempts: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed try (1 for the first): the system's own
    Retry-After when it gave one, else exponential backoff with full jitter (a random delay up
    to base * 2^(attempts-1), at most `cap`), so many workers retrying one recovering system
    spread out instead of knocking it down again together."""
    if retry_after is not None:
        return max(0.0, float(retry_after))
    return random.uniform(0, min(cap, base * 2 ** max(0, attempts - 1)))
