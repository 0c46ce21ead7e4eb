"""The few SQL expressions the seed writes differently on SQLite and PostgreSQL. Everything else
in the seed is one SQL text for both."""
from dataclasses import dataclass

# Knuth's multiplicative hash: the top 24 bits of (n * K) mod 2**32 are well mixed, so each salt
# gives a different, reproducible pseudo-random value below 2**24 for the same row number.
_MULTIPLIERS = (2654435761, 2246822519, 3266489917, 668265263, 374761393, 3432918353, 461845907,
                2869860233, 1597334677, 2097192037, 3812015801, 1181783497, 1390851129, 4071050725,
                647892279, 1695753999, 2795742289, 207388625, 311111475, 3527346213, 1942955373,
                3718334797, 2404204071, 1540483477)


def pick(row: str, salt: int, modulus) -> str:
    """A reproducible value in [0, modulus) for the row number `row` (an SQL expression), with
    modulus at most 2**24. Each salt is used for one attribute only, so that attributes do not
    vary together."""
    multiplier = _MULTIPLIERS[salt]
    return f"((((CAST({row} AS BIGINT) * {multiplier} + {salt * 7919}) % 4294967296) / 256) % ({modulus}))"


@dataclass(frozen=True)
class Dialect:
    name: str

    def series(self, first: int, last: int) -> str:
        """A common table expression `series(n)` counting from first to last."""
        if self.name == "postgresql":
            return f"series(n) AS (SELECT generate_series(CAST({first} AS bigint), CAST({last} AS bigint)))"
        return f"series(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM series WHERE n < {last})"

    @property
    def with_recursive(self) -> str:
        return "WITH" if self.name == "postgresql" else "WITH RECURSIVE"

    def hex(self, expression: str, width: int) -> str:
        if self.name == "postgresql":
            return f"lpad(to_hex({expression}), {width}, '0')"
        return f"printf('%0{width}x', {expression})"

    def days_after(self, day: str, days: str) -> str:
        if self.name == "postgresql":
            return f"(DATE '{day}' + CAST({days} AS integer))"
        return f"date('{day}', '+' || ({days}) || ' days')"

    def seconds_after(self, moment: str, seconds: str) -> str:
        """A UTC time stamp as the UTCDateTime column stores it."""
        if self.name == "postgresql":
            return f"(TIMESTAMPTZ '{moment}+00' + ({seconds}) * INTERVAL '1 second')"
        # SQLAlchemy's SQLite DateTime text format, microseconds included.
        return f"(strftime('%Y-%m-%d %H:%M:%S', '{moment}', '+' || ({seconds}) || ' seconds') || '.000000')"

    def email_domain(self, column: str) -> str:
        if self.name == "postgresql":
            return f"split_part({column}, '@', 2)"
        return f"substr({column}, instr({column}, '@') + 1)"

    def zero_padded(self, expression: str, width: int) -> str:
        if self.name == "postgresql":
            return f"lpad(CAST({expression} AS TEXT), {width}, '0')"
        return f"printf('%0{width}d', {expression})"
