from flask_smorest import Blueprint

blp = Blueprint("guests", __name__, url_prefix="/api/v1/guests", description="Guest profiles.")
categories_blp = Blueprint("preference_categories", __name__, url_prefix="/api/v1/preference-categories", description="Preference categories.")
