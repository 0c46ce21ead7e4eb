"""Signing in and out in the browser: redirects, the one failure message, rate limits, cookies, CSRF."""
import re

import pytest

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.extensions import db

PASSWORD = "correct horse battery staple"
WRONG = "wrong password, surely"
FAILURE = "E-mail or password is wrong"


def _reload(staff):
    db.session.expire_all()
    return db.session.get(StaffUser, staff.id)


def _sign_in(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def _signed_in(client) -> bool:
    response = client.get("/account")
    return response.status_code == 200


def test_login_page_shows_email_and_password_fields(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="email"' in response.text
    assert 'name="password"' in response.text
    assert "<html lang=\"en\"" in response.text


def test_signing_in_redirects_home_and_records_the_last_login(client, make_staff):
    staff = make_staff("front_desk", email="desk@example.test")
    assert staff.last_login_at is None

    response = _sign_in(client, "  Desk@Example.TEST ", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _reload(staff).last_login_at is not None
    assert _signed_in(client)


def test_signing_in_is_audited_as_a_login(client, make_staff, login):
    staff = make_staff("manager")

    login(staff)

    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="login")).scalars().all()
    assert (entry.staff_id, entry.entity_type, entry.entity_id) == (staff.id, "staff", staff.id)


def test_signing_in_follows_a_relative_next_path(client, make_staff):
    staff = make_staff()

    response = _sign_in(client, staff.email, PASSWORD, next="/guests?q=zhang")

    assert response.headers["Location"] == "/guests?q=zhang"


@pytest.mark.parametrize(
    "target", ["https://evil.test/", "//evil.test/path", "/\\evil.test", "javascript:alert(1)", "guests", "/a\r\nb"]
)
def test_signing_in_ignores_a_next_that_leads_elsewhere(client, make_staff, target):
    staff = make_staff()

    response = _sign_in(client, staff.email, PASSWORD, next=target)

    assert response.headers["Location"] == "/"


def test_a_page_for_signed_in_staff_sends_visitors_to_login_and_back(client, make_staff):
    staff = make_staff()

    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

    login_page = client.get(response.headers["Location"])
    next_value = re.search(r'name="next" type="hidden" value="([^"]*)"', login_page.text).group(1)
    assert next_value == "/account"
    assert _sign_in(client, staff.email, PASSWORD, next=next_value).headers["Location"] == "/account"


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "disabled account"])
def test_every_failed_sign_in_gets_the_same_message(client, make_staff, case):
    staff = make_staff(email="someone@example.test")
    email, password = staff.email, WRONG
    if case == "unknown e-mail":
        email, password = "nobody@example.test", PASSWORD
    if case == "disabled account":
        staff.active = False
        db.session.commit()
        password = PASSWORD

    response = _sign_in(client, email, password)

    assert response.status_code == 401
    assert FAILURE in response.text
    assert "disabled" not in response.text.lower()
    assert not _signed_in(client)
    assert _reload(staff).last_login_at is None


def test_signing_in_starts_a_new_session(client, make_staff):
    staff = make_staff()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    _sign_in(client, staff.email, PASSWORD)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{staff.id}:{staff.session_token}"


def test_signing_out_ends_the_session(client, make_staff, login):
    login(make_staff())

    response = client.post("/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not _signed_in(client)


def test_five_failed_attempts_lock_the_account_even_with_the_right_password(client, make_staff):
    staff = make_staff()
    for _attempt in range(5):
        assert _sign_in(client, staff.email, WRONG).status_code == 401

    response = _sign_in(client, staff.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert not _signed_in(client)


def test_the_account_limit_counts_the_e_mail_however_it_is_written(client, make_staff):
    staff = make_staff(email="lock@example.test")
    for spelling in ["lock@example.test", "LOCK@example.test", " lock@EXAMPLE.test", "Lock@Example.Test", "lock@example.test "]:
        _sign_in(client, spelling, WRONG)

    assert _sign_in(client, staff.email, PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limits(client, make_staff):
    staff = make_staff()
    for _attempt in range(8):
        assert _sign_in(client, staff.email, PASSWORD).status_code == 302
        client.post("/logout")

    for _attempt in range(4):
        _sign_in(client, staff.email, WRONG)
    assert _sign_in(client, staff.email, PASSWORD).status_code == 302


def test_another_account_from_the_same_address_works_until_the_address_limit(make_app, make_staff):
    app = make_app(GUESTREL_LOGIN_LIMIT_PER_ADDRESS="7 per 15 minutes")
    client = app.test_client()
    locked, other = make_staff(), make_staff()
    for _attempt in range(5):
        _sign_in(client, locked.email, WRONG)
    assert _sign_in(client, locked.email, PASSWORD).status_code == 429

    assert _sign_in(client, other.email, PASSWORD).status_code == 302
    client.post("/logout")
    assert _sign_in(client, other.email, WRONG).status_code == 401
    assert _sign_in(client, other.email, WRONG).status_code == 401

    # Seven failures from this address now, two of them for `other`: the address is locked.
    assert _sign_in(client, other.email, PASSWORD).status_code == 429


def test_the_limits_come_from_the_configuration(make_app, make_staff):
    app = make_app(GUESTREL_LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    client = app.test_client()
    staff = make_staff()

    _sign_in(client, staff.email, WRONG)
    _sign_in(client, staff.email, WRONG)

    assert _sign_in(client, staff.email, PASSWORD).status_code == 429


def test_the_session_cookie_is_http_only_and_same_site_lax(client, make_staff):
    staff = make_staff()

    cookie = _sign_in(client, staff.email, PASSWORD).headers["Set-Cookie"]

    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_when_configured(make_app, make_staff):
    app = make_app(GUESTREL_SECURE_COOKIES=True)
    staff = make_staff()

    cookie = _sign_in(app.test_client(), staff.email, PASSWORD).headers["Set-Cookie"]

    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_a_login_without_csrf_token_is_refused_when_csrf_is_on(make_app, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    staff = make_staff()

    response = _sign_in(client, staff.email, PASSWORD)

    assert response.status_code == 400
    assert "Your form expired" in response.text
    assert _reload(staff).last_login_at is None
    assert client.get("/account").status_code == 302


def test_a_login_with_the_pages_csrf_token_works_when_csrf_is_on(make_app, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    staff = make_staff()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = _sign_in(client, staff.email, PASSWORD, csrf_token=token)

    assert response.status_code == 302
    assert _reload(staff).last_login_at is not None


def test_signing_out_without_csrf_token_is_refused_when_csrf_is_on(make_app, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    staff = make_staff()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    _sign_in(client, staff.email, PASSWORD, csrf_token=token)

    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
