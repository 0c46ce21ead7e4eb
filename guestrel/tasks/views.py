"""Browser pages of pre-arrival tasks: a hotel's day of tasks by department, and marking one
done (or undoing it), in place with htmx or as a plain form."""
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.guests.models import DEPARTMENTS
from guestrel.guests.preference_service import DEPARTMENT_LABELS
from guestrel.properties import service as property_service
from guestrel.service_errors import InvalidDataError
from guestrel.tasks import service
from guestrel.tasks.service import TaskCancelledError

bp = Blueprint("task_pages", __name__, template_folder="templates")


def parse_day(value: str | None) -> date | None:
    """A day from a page's query string; None when not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDataError({"date": [_("Enter a date as YYYY-MM-DD.")]}) from None


def hotel_time(moment, prop) -> str:
    """A time as the hotel's clock shows it, whatever the reader's own time zone."""
    return format_time(moment, format="short", tzinfo=ZoneInfo(prop.timezone), locale=get_locale())


@bp.app_context_processor
def task_helpers():
    return {"hotel_time": hotel_time, "department_labels": DEPARTMENT_LABELS}


@bp.get("/tasks")
@require("tasks:read")
def index():
    principal = current_principal()
    hotels = property_service.list_properties(principal)
    code = request.args.get("property") or (hotels[0].code if hotels else None)
    if code is None:
        return render_template("tasks/index.html", hotels=[], day=None, department=None, sections=[])
    department = request.args.get("department") or None
    status = request.args.get("status") or None
    tasks = service.list_tasks(principal, code, parse_day(request.args.get("date")),
                               department=department, status=status)
    sections = [(name, [view for view in tasks.items if view.task.department == name]) for name in DEPARTMENTS
                if department in (None, name)]
    return render_template("tasks/index.html", hotels=hotels, hotel=tasks.property, day=tasks.day,
                           department=department, status=status, sections=sections)


def _done_or_undo(task_id: int, done: bool):
    principal = current_principal()
    try:
        view = service.mark_done(principal, task_id) if done else service.undo(principal, task_id)
        message = _("Done: %(text)s.", text=view.task.text) if done else _("Open again: %(text)s.", text=view.task.text)
        category = "success"
    except TaskCancelledError as error:
        view = service.get_task(principal, task_id)
        message, category = error.message, "error"
    hotel = property_service.get_property(principal, view.property_code)
    if request.headers.get("HX-Request"):
        # The row that asked is replaced by the task as it is now (done, open again or cancelled).
        return render_template("tasks/_row.html", view=view, hotel=hotel)
    flash(message, category)
    department = request.form.get("department")
    day = view.task.due_at.astimezone(ZoneInfo(hotel.timezone)).date()
    return redirect(url_for(".index", property=view.property_code, date=day.isoformat(),
                            department=department if department in DEPARTMENTS else None))


@bp.post("/tasks/<int:task_id>/done")
@require("tasks:write")
def done(task_id):
    return _done_or_undo(task_id, True)


@bp.post("/tasks/<int:task_id>/undo")
@require("tasks:write")
def undo(task_id):
    return _done_or_undo(task_id, False)
