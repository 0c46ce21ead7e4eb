from flask_smorest import Blueprint

blp = Blueprint("properties", __name__, url_prefix="/api/v1/properties", description="The chain's properties.")
