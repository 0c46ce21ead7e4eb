"""The three ways to import a file: `flask guestrel import`, POST /api/v1/connections/{id}/import
and the import page linked from the integrations page."""
import io

from guestrel.auth.service import OPERATOR
from guestrel.sync import connections
from tests.conftest import PASSWORD
from tests.sync.import_support import (  # noqa: F401  (legacy: a fixture)
    GOOD_FILE,
    csv_file,
    guest_by_legacy_id,
    legacy,
    preference,
    profile,
    table_counts,
)

BAD_FILE = csv_file(
    profile("L-1", given_name="Wei", family_name="Li"),
    preference("L-1", "hobbies", "Golf"),
    profile("L-2", given_name="Mei", birthday="2001-13-01"),
)
BAD_ROW_LINES = ["2\tcategory\tChoose one of the preference categories.", "3\tbirthday\tThere is no such date."]
# More than a request body may otherwise hold (MAX_CONTENT_LENGTH, 1 MiB): the header and empty
# rows, as a spreadsheet leaves them below the data.
LARGE_FILE = csv_file(profile("L-1", given_name="Wei")) + b"," * 25 + b"\r\n" * 700_000


# -- the command line -------------------------------------------------------------------------


def run_import(app, tmp_path, connection_id, body, *options):
    path = tmp_path / "legacy export.csv"
    path.write_bytes(body)
    return app.test_cli_runner().invoke(args=["guestrel", "import", str(connection_id), str(path), *options])


def test_the_command_imports_a_file_and_exits_0(app, legacy, tmp_path):
    result = run_import(app, tmp_path, legacy.id, GOOD_FILE)

    assert result.exit_code == 0, result.output
    assert result.output == "Rows read 7, imported 7, unchanged 0, failed 0.\n"
    assert guest_by_legacy_id("L-2").full_name == "张伟"


def test_the_command_prints_each_bad_row_and_exits_1_and_its_dry_run_writes_nothing(app, legacy, tmp_path):
    before = table_counts()

    dry = run_import(app, tmp_path, legacy.id, BAD_FILE, "--dry-run")

    assert dry.exit_code == 1
    assert dry.output.splitlines() == ["Dry run: nothing was written.",
                                       "Rows read 3, imported 1, unchanged 0, failed 2.", *BAD_ROW_LINES]
    assert table_counts() == before

    real = run_import(app, tmp_path, legacy.id, BAD_FILE)

    assert real.exit_code == 1
    assert real.output.splitlines()[1:] == BAD_ROW_LINES
    assert guest_by_legacy_id("L-1").given_name == "Wei"


def test_the_command_refuses_an_unknown_connection(app, legacy, tmp_path):
    result = run_import(app, tmp_path, legacy.id + 100, GOOD_FILE)

    assert result.exit_code == 1
    assert "There is no connection with this id." in result.output


# -- the API ------------------------------------------------------------------------------------


def post_file(client, connection_id, body, headers, **form):
    return client.post(f"/api/v1/connections/{connection_id}/import", headers=headers,
                       data={"file": (io.BytesIO(body), "legacy.csv"), **form}, content_type="multipart/form-data")


def test_the_api_dry_run_answers_the_report_and_writes_nothing(client, legacy, make_api_key):
    headers = make_api_key("integrations:admin")
    before = table_counts()

    answer = post_file(client, legacy.id, BAD_FILE, headers, dry_run="true")

    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "dry_run": True, "message_id": None, "rows_read": 3, "rows_imported": 1, "rows_unchanged": 0,
        "rows_failed": 2, "errors": [
            {"row": 2, "field": "category", "message": "Choose one of the preference categories."},
            {"row": 3, "field": "birthday", "message": "There is no such date."},
        ],
    }
    assert table_counts() == before


def test_the_api_imports_the_file_and_names_its_inbox_message(client, legacy, make_api_key, hotels):
    shanghai, _hangzhou = hotels
    answer = post_file(client, legacy.id, GOOD_FILE, make_api_key("integrations:admin", properties=[shanghai]))

    assert answer.status_code == 200, answer.json
    assert (answer.json["dry_run"], answer.json["rows_imported"], answer.json["errors"]) == (False, 7, [])
    inbox_page = client.get(f"/api/v1/connections/{legacy.id}", headers=make_api_key("integrations:admin")).json
    assert inbox_page["inbox_counts"] == {"applied": 1}


def test_the_api_refuses_other_scopes_other_hotels_and_a_missing_file(client, legacy, make_api_key, hotels):
    _shanghai, hangzhou = hotels
    other_scopes = make_api_key("guests:write", "stays:write")
    other_hotel = make_api_key("integrations:admin", properties=[hangzhou])
    admin = make_api_key("integrations:admin")
    before = table_counts()

    assert post_file(client, legacy.id, GOOD_FILE, other_scopes).status_code == 403
    foreign = post_file(client, legacy.id, GOOD_FILE, other_hotel)
    assert (foreign.status_code, foreign.json["message"]) == (404, "There is no connection with this id.")
    missing = client.post(f"/api/v1/connections/{legacy.id}/import", headers=admin, data={"dry_run": "true"},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]["files"]
    assert table_counts() == before


def test_the_api_refuses_a_connection_that_does_not_import_files(client, legacy, make_api_key):
    pms = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection

    answer = post_file(client, pms.id, GOOD_FILE, make_api_key("integrations:admin"))

    assert (answer.status_code, answer.json["message"]) == (422, "This connection's adapter does not import files.")


def test_the_api_takes_files_up_to_the_import_limit_and_answers_413_above_it(make_app, legacy, make_api_key):
    headers = make_api_key("integrations:admin")
    client = make_app(GUESTREL_IMPORT_MAX_CONTENT_LENGTH=len(LARGE_FILE) + 1000).test_client()

    taken = post_file(client, legacy.id, LARGE_FILE, headers, dry_run="true")
    assert (taken.status_code, taken.json["rows_read"]) == (200, 1)

    small = make_app(GUESTREL_IMPORT_MAX_CONTENT_LENGTH=1000).test_client()
    before = table_counts()
    refused = post_file(small, legacy.id, LARGE_FILE, headers)
    assert (refused.status_code, refused.json["message"]) == (413, "What you sent is too large.")
    assert table_counts() == before


# -- the page ---------------------------------------------------------------------------------


def test_the_integrations_page_links_import_connections_to_their_import_page(client, legacy, make_staff, login):
    login(make_staff("admin"))

    page = client.get("/admin/integrations").text

    assert f'href="/admin/integrations/connections/{legacy.id}/import"' in page


def test_the_import_page_runs_a_dry_run_and_shows_every_bad_row(client, legacy, make_staff, login):
    login(make_staff("admin"))
    form = client.get(f"/admin/integrations/connections/{legacy.id}/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    before = table_counts()

    page = client.post(f"/admin/integrations/connections/{legacy.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(BAD_FILE), "legacy.csv"), "dry_run": "y"})

    assert page.status_code == 200
    assert "Dry run report" in page.text and "Nothing was written." in page.text
    assert "<td>2</td>\n        <td><code>category</code></td>\n        <td>Choose one of the preference categories." \
        in page.text
    assert "<td><code>birthday</code></td>\n        <td>There is no such date." in page.text
    assert table_counts() == before


def test_the_import_page_imports_when_the_dry_run_is_unchecked(client, legacy, make_staff, login):
    login(make_staff("admin"))

    page = client.post(f"/admin/integrations/connections/{legacy.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(GOOD_FILE), "legacy.csv")})

    assert page.status_code == 200 and "Import report" in page.text and "No errors." in page.text
    assert guest_by_legacy_id("L-1").family_name == "Li"


def test_the_import_page_asks_for_a_file_and_exists_only_for_import_connections(client, legacy, make_staff, login):
    login(make_staff("admin"))

    empty = client.post(f"/admin/integrations/connections/{legacy.id}/import", data={"dry_run": "y"})
    assert empty.status_code == 200 and "Choose the file to import." in empty.text
    pms = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection
    assert client.get(f"/admin/integrations/connections/{pms.id}/import").status_code == 404


def test_the_import_form_needs_its_csrf_token_and_takes_a_large_file(make_app, legacy, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    staff = make_staff("admin")
    client = app.test_client()
    login_page = client.get("/login").text
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
    url = f"/admin/integrations/connections/{legacy.id}/import"
    form_token = client.get(url).text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    before = table_counts()

    forged = client.post(url, content_type="multipart/form-data", data={"file": (io.BytesIO(GOOD_FILE), "a.csv")})
    assert forged.status_code == 400
    assert table_counts() == before

    taken = client.post(url, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(LARGE_FILE), "a.csv"), "dry_run": "y", "csrf_token": form_token})
    assert taken.status_code == 200 and "Dry run report" in taken.text


def test_the_import_page_refuses_a_file_above_the_import_limit(make_app, legacy, make_staff, login):
    client = make_app(GUESTREL_IMPORT_MAX_CONTENT_LENGTH=1000).test_client()
    login(make_staff("admin"), test_client=client)
    before = table_counts()

    page = client.post(f"/admin/integrations/connections/{legacy.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(LARGE_FILE), "a.csv")})

    assert page.status_code == 413 and "What you sent is too large." in page.text
    assert table_counts() == before
