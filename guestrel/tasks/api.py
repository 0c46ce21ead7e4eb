"""REST API for pre-arrival tasks: parse, call the service, dump."""
from guestrel.api_conventions import Blueprint
from guestrel.auth.permissions import current_principal, require
from guestrel.tasks import service
from guestrel.tasks.schemas import TaskDaySchema, TaskQuerySchema, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="Pre-arrival tasks.")


@blp.route("/tasks")
@require("tasks:read")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskDaySchema)
@blp.errors(404)
def list_tasks(query):
    """List a hotel's pre-arrival tasks due on a day

    By department, then due time and room. Each task is one preference marked "prepare before
    arrival" for one stay, due at the hotel's check-in time on the arrival day; tasks appear the
    day before arrival (at once for a booking made on the day) and follow the stay's room and
    dates. A hotel this client does not cover answers 404.
    """
    return service.list_tasks(current_principal(), query["property"], query.get("date"),
                              department=query.get("department"), status=query.get("status"))


@blp.route("/tasks/<int:task_id>/done", methods=["POST"])
@require("tasks:write")
@blp.response(200, TaskSchema)
@blp.errors(404, 409)
def mark_done(task_id):
    """Mark a task done, now, by this client

    Marking it again changes nothing; a cancelled task answers 409.
    """
    return service.mark_done(current_principal(), task_id)


@blp.route("/tasks/<int:task_id>/undo", methods=["POST"])
@require("tasks:write")
@blp.response(200, TaskSchema)
@blp.errors(404, 409)
def undo(task_id):
    """Open a task marked done by mistake again"""
    return service.undo(current_principal(), task_id)
