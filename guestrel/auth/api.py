from flask_smorest import Blueprint

staff_blp = Blueprint("staff", __name__, url_prefix="/api/v1/staff", description="Staff accounts (admin).")
clients_blp = Blueprint("api_clients", __name__, url_prefix="/api/v1/api-clients", description="API clients (admin).")
