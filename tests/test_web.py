"""The shell around the domains: API documentation served from our own assets, error answers
that suit who is asking (JSON for the API, a page for people), health check."""
import re
from pathlib import Path

import guestrel

TEMPLATES = Path(guestrel.__file__).parent


def test_api_docs_load_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs").text

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200
    assert "/api/v1/openapi.json" in page


def test_no_template_loads_anything_from_another_host():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', text), template


def test_the_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {
        (method.upper(), path) for path, operations in document["paths"].items() for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in documented, (method, path)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_an_unknown_api_address_answers_json_and_an_unknown_page_a_friendly_page(client, hotels, make_staff, login):
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and api.json["status"] == "Not Found"

    login(make_staff("front_desk", properties=hotels[:1]))
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "This page does not exist." in page.text
    assert "Traceback" not in page.text


def test_a_forbidden_page_explains_itself_in_the_browser(client, hotels, make_staff, login):
    login(make_staff("housekeeping", properties=hotels[:1]))
    page = client.get("/admin/staff")
    assert page.status_code == 403
    assert "You do not have permission to see this page." in page.text


def test_health_check_answers_without_signing_in(client):
    assert client.get("/healthz").json == {"status": "ok"}
