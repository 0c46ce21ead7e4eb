import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.auth.models import ApiClient, StaffUser
from guestrel.database import UTCDateTime, prefix_string, utcnow
from guestrel.extensions import db
from guestrel.properties.models import Property

PREFERENCE_SOURCES = ("staff", "guest", "pms", "import")
PREFERENCE_PRIORITIES = ("low", "normal", "high", "critical")
SPECIAL_DATE_KINDS = ("birthday", "anniversary", "other")
REVIEW_STATUSES = ("open", "merged", "dismissed")
# Who prepares a preference before the guest arrives (guestrel.tasks).
DEPARTMENTS = ("housekeeping", "food_and_beverage", "front_desk")


def _enum(values, name, length=20):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class Guest(db.Model):
    """A guest of the chain, shared by all its properties."""

    __tablename__ = "guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str | None] = mapped_column(sa.String(100))
    family_name: Mapped[str | None] = mapped_column(sa.String(100))
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    salutation: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    # Indexed: identity resolution finds the guests born on a day before comparing their names.
    birthday: Mapped[object | None] = mapped_column(sa.Date, index=True)
    anniversary: Mapped[object | None] = mapped_column(sa.Date)
    nationality: Mapped[str | None] = mapped_column(sa.String(2))
    language: Mapped[str | None] = mapped_column(sa.String(35))
    company: Mapped[str | None] = mapped_column(sa.String(200))
    vip_code: Mapped[str | None] = mapped_column(sa.String(20))
    # The chain's loyalty membership number: one guest per number.
    member_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True, index=True)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    account_owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    # Set when this profile was merged into another (guestrel.guests.merge): the row stays as a
    # tombstone so its old id leads to the surviving profile, always a live one (never a chain).
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guests.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account_owner: Mapped[StaffUser | None] = relationship()
    external_ids: Mapped[list["GuestExternalId"]] = relationship(
        back_populates="guest", order_by="GuestExternalId.system", cascade="all, delete-orphan"
    )

    # SQLAlchemy adds "AND version = :old" to every UPDATE: a concurrent writer's change is
    # detected instead of overwritten.
    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self):
        if self.full_name:
            return self.full_name
        return " ".join(part for part in (self.given_name, self.family_name) if part) or f"#{self.id}"


class GuestExternalId(db.Model):
    """A guest's id in another system (a PMS profile id, a channel's guest id)."""

    __tablename__ = "guest_external_ids"
    __table_args__ = (sa.UniqueConstraint("system", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), index=True)
    system: Mapped[str] = mapped_column(sa.String(40))
    external_id: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    guest: Mapped[Guest] = relationship(back_populates="external_ids")


class GuestSearchTerm(db.Model):
    """Normalised words of a guest's names and e-mail (with pinyin for Chinese names), so a
    name search is a few indexed prefix scans instead of a scan of every guest."""

    __tablename__ = "guest_search_terms"

    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(prefix_string(120), primary_key=True)

    __table_args__ = (sa.Index("ix_guest_search_terms_term_guest", "term", "guest_id"),)


class PreferenceCategory(db.Model):
    """An admin-editable kind of preference. `is_allergy` categories make every preference critical."""

    __tablename__ = "preference_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    sort_order: Mapped[int] = mapped_column(default=100)
    is_allergy: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # The department whose pre-arrival tasks this category's preferences become.
    department: Mapped[str] = mapped_column(_enum(DEPARTMENTS, "preference_department"), default="front_desk",
                                            server_default="front_desk")


class Preference(db.Model):
    """Something a guest likes or needs, remembered for every future stay."""

    __tablename__ = "preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("preference_categories.id"))
    value: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    # None: the whole chain. A property: only at that hotel.
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    source: Mapped[str] = mapped_column(_enum(PREFERENCE_SOURCES, "preference_source"))
    alert_at_check_in: Mapped[bool] = mapped_column(default=False)
    prepare_before_arrival: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[str] = mapped_column(_enum(PREFERENCE_PRIORITIES, "preference_priority"))
    recorded_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    recorded_by_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id", ondelete="SET NULL"))
    recorded_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_confirmed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[object | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[PreferenceCategory] = relationship(lazy="joined")
    scope_property: Mapped[Property | None] = relationship(lazy="joined")
    recorded_by_staff: Mapped[StaffUser | None] = relationship()
    recorded_by_client: Mapped[ApiClient | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self):
        return self.retired_at is None


class SpecialDate(db.Model):
    """A date worth marking for a guest: a birthday, an anniversary, another occasion."""

    __tablename__ = "special_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(_enum(SPECIAL_DATE_KINDS, "special_date_kind"))
    date: Mapped[object] = mapped_column(sa.Date)
    label: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class GuestMatchReview(db.Model):
    """A possible duplicate for staff to decide on: identity resolution created `guest_id` from
    incoming data that resembled `candidate_id` without certainty (guestrel.guests.identity).
    Staff merge the two or dismiss the pair; only one open review exists per pair."""

    __tablename__ = "guest_match_reviews"
    __table_args__ = (
        sa.Index("ix_guest_match_reviews_open_pair", "guest_id", "candidate_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), index=True)
    # How alike the names are, 0 to 100 (rapidfuzz); `reasons` says what else matched or differed.
    score: Mapped[int]
    reasons: Mapped[list] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(_enum(REVIEW_STATUSES, "guest_match_review_status"), index=True)
    source_system: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    decided_by_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id", ondelete="SET NULL"))
    decided_at: Mapped[object | None] = mapped_column(UTCDateTime)

    guest: Mapped[Guest] = relationship(foreign_keys=[guest_id])
    candidate: Mapped[Guest] = relationship(foreign_keys=[candidate_id])
