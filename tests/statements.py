"""Counting the SQL statements a piece of work sends: the tests that prove a page or a service
reads a fixed number of queries however many rows there are."""
from contextlib import contextmanager

import sqlalchemy as sa

from guestrel.extensions import db


@contextmanager
def counted():
    """Yields the list of the statements sent to the database inside the block, as sent."""
    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
