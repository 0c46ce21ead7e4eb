"""The loyalty tier form, a guest's tier form and the points form."""
import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from guestrel.loyalty.points import KIND_LABELS, RECORDED_KINDS


class TierForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("What the PMS and the API call it, e.g. PLATINUM."))
    name = StringField(_l("Name"), description=_l("What the staff read, e.g. Platinum."))
    rank = IntegerField(_l("Rank"), validators=[Optional()],
                        description=_l("The higher, the better: e.g. 10 for Silver, 20 for Gold, 30 for Platinum."))
    benefits = TextAreaField(_l("Benefits"), description=_l("One per line, as the front desk should read them."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    @classmethod
    def for_tier(cls, tier):
        data = None
        if tier is not None:
            data = {"code": tier.code, "name": tier.name, "rank": tier.rank, "benefits": "\n".join(tier.benefits),
                    "version": tier.version}
        return cls(data=data)

    def service_data(self) -> dict:
        return {"code": self.code.data, "name": self.name.data, "rank": self.rank.data,
                "benefits": self.benefits.data or ""}


class GuestTierForm(FlaskForm):
    tier = SelectField(_l("Loyalty tier"))

    @classmethod
    def for_guest(cls, tiers, current):
        form = cls(data={"tier": current.code if current else ""})
        form.tier.choices = [("", _l("No tier"))] + [(tier.code, tier.name) for tier in tiers]
        return form


class PointsForm(FlaskForm):
    kind = SelectField(_l("Entry"), choices=[(kind, KIND_LABELS[kind]) for kind in RECORDED_KINDS])
    points = IntegerField(_l("Points"), validators=[Optional()],
                          description=_l("For an adjustment, a negative number takes points off."))
    reason = StringField(_l("Reason"), description=_l("Why, for whoever reads the ledger later."))
    # One per rendered form: pressing Save twice books the entry once.
    idempotency_key = HiddenField()

    @classmethod
    def fresh(cls):
        form = cls(formdata=None)
        form.idempotency_key.data = uuid.uuid4().hex
        return form

    def service_data(self) -> dict:
        return {"kind": self.kind.data, "points": self.points.data, "reason": self.reason.data,
                "idempotency_key": self.idempotency_key.data}
