"""one_transaction nested in another: each inner block is a savepoint kept or rolled back on its
own, while the outer block decides what is finally committed (an import's dry run)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from guestrel.database import after_commit, one_transaction
from guestrel.extensions import db
from guestrel.properties.models import Property


def add_hotel(code):
    """A write that commits itself, as a service does."""
    db.session.add(Property(code=code, name=f"Hotel {code}", timezone="Asia/Shanghai", currency="CNY"))
    db.session.commit()


def hotel_codes():
    return set(db.session.scalars(sa.select(Property.code)))


def test_a_nested_block_that_fails_is_rolled_back_alone(app):
    with one_transaction(db.session):
        add_hotel("T01")
        with pytest.raises(RuntimeError), one_transaction(db.session):
            add_hotel("T02")
            add_hotel("T03")
            raise RuntimeError("this unit is refused")
        with one_transaction(db.session):
            add_hotel("T04")
        add_hotel("T05")

    assert hotel_codes() == {"T01", "T04", "T05"}


def test_a_service_rollback_inside_a_nested_block_keeps_what_the_block_committed(app):
    with one_transaction(db.session):
        with one_transaction(db.session):
            add_hotel("T01")
            with pytest.raises(IntegrityError):
                add_hotel("T01")
            db.session.rollback()
            add_hotel("T02")

    assert hotel_codes() == {"T01", "T02"}


def test_an_outer_dry_run_rolls_back_the_nested_blocks_it_kept(app):
    with one_transaction(db.session, dry_run=True):
        with one_transaction(db.session):
            add_hotel("T01")
        with one_transaction(db.session):
            # The block sees what the one before it wrote, as a real run would.
            assert "T01" in hotel_codes()
            add_hotel("T02")

    assert hotel_codes() == set()


def test_a_nested_dry_run_rolls_back_only_its_own_block(app):
    with one_transaction(db.session):
        add_hotel("T01")
        with one_transaction(db.session, dry_run=True):
            add_hotel("T02")
        assert hotel_codes() == {"T01"}

    assert hotel_codes() == {"T01"}


def test_callbacks_of_nested_blocks_run_once_the_outer_block_commits(app):
    ran = []
    with one_transaction(db.session):
        with one_transaction(db.session):
            add_hotel("T01")
            after_commit(db.session, lambda: ran.append("kept"))
        with pytest.raises(RuntimeError), one_transaction(db.session):
            after_commit(db.session, lambda: ran.append("rolled back"))
            raise RuntimeError("refused")
        assert ran == []

    assert ran == ["kept"]

    with one_transaction(db.session, dry_run=True):
        with one_transaction(db.session):
            after_commit(db.session, lambda: ran.append("dry run"))
    assert ran == ["kept"]
