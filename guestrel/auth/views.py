"""Browser pages: signing in and out, the own account, staff and API client administration."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from guestrel.auth import service
from guestrel.auth.forms import (
    ROLE_LABELS,
    ApiClientForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    StaffCreateForm,
    StaffEditForm,
)
from guestrel.auth.permissions import PERMISSIONS, current_principal, require
from guestrel.extensions import limiter
from guestrel.properties import service as properties_service
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: anything with a scheme or host could send the user elsewhere."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return None
    if any(ord(char) < 32 for char in target):
        return None
    return target


def _account_key() -> str:
    return "account:" + service.normalise_email(request.form.get("email", ""))


def _login_failed(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count: staff who sign in all day from one desk PC are never locked out.
@limiter.limit(
    lambda: current_app.config["GUESTREL_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key, methods=["POST"], deduct_when=_login_failed,
)
@limiter.limit(
    lambda: current_app.config["GUESTREL_LOGIN_LIMIT_PER_ADDRESS"],
    key_func=get_remote_address, methods=["POST"], deduct_when=_login_failed,
)
def login():
    form = LoginForm(next=request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(form.next.data) or "/")
    if form.validate_on_submit():
        staff = service.authenticate_staff(form.email.data, form.password.data)
        if staff is None:
            # One answer whether the e-mail is unknown, the password wrong or the account
            # disabled: the page must not tell which e-mails have accounts. The status marks
            # the attempt as failed for the rate limits (and for log watchers).
            return render_template("auth/login.html", form=form, failed=True), 401
        target = _safe_next(form.next.data) or "/"
        # A new session for the signed-in user: an id planted before sign-in is worthless.
        session.clear()
        login_user(staff)
        service.record_login(staff)
        return redirect(target)
    return render_template("auth/login.html", form=form, failed=False)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for(".login"))


@bp.route("/account")
@login_required
def account():
    return _render_account(
        LanguageForm(locale=current_user.locale or ""),
        PasswordChangeForm(formdata=None),
    )


def _render_account(language_form, password_form):
    return render_template("auth/account.html", language_form=language_form, password_form=password_form)


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            service.set_own_locale(current_user, form.locale.data)
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Your language is saved."), "success")
            return redirect(url_for(".account"))
    return _render_account(form, PasswordChangeForm(formdata=None))


@bp.route("/account/password", methods=["POST"])
@login_required
def account_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        staff = current_user._get_current_object()
        try:
            service.change_own_password(staff, form.current_password.data, form.new_password.data)
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            # The new session token ended every session, this one too: sign it in again.
            login_user(staff)
            flash(_("Your password is changed. Other sessions are signed out."), "success")
            return redirect(url_for(".account"))
    return _render_account(LanguageForm(formdata=None, locale=current_user.locale or ""), form)


@bp.route("/admin/staff")
@require("staff:admin")
def staff_list():
    staff = service.list_staff(current_principal())
    return render_template("auth/staff_list.html", staff=staff, role_labels=ROLE_LABELS)


def _property_options():
    return properties_service.list_properties(current_principal())


@bp.route("/admin/staff/new", methods=["GET", "POST"])
@require("staff:admin")
def staff_create():
    form = StaffCreateForm(property_options=_property_options())
    if form.validate_on_submit():
        try:
            staff = service.create_staff(
                principal=current_principal(),
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=form.role.data,
                properties=service.properties_by_code(form.properties.data),
                locale=form.locale.data,
            )
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s can now sign in.", name=staff.name), "success")
            return redirect(url_for(".staff_list"))
    return render_template("auth/staff_form.html", form=form, staff=None)


@bp.route("/admin/staff/<int:staff_id>", methods=["GET", "POST"])
@require("staff:admin")
def staff_edit(staff_id):
    staff = service.get_staff(current_principal(), staff_id) or abort(404)
    form = StaffEditForm.for_staff(staff, _property_options())
    if form.validate_on_submit():
        try:
            service.update_staff(current_principal(), staff, {
                "name": form.name.data,
                "role": form.role.data,
                "properties": service.properties_by_code(form.properties.data),
                "locale": form.locale.data,
                "active": form.active.data,
                "password": form.new_password.data,
            })
        except FORM_ERRORS as error:
            show_errors(form, error, {"password": "new_password"})
        else:
            if staff.id == current_user.id:
                # An admin who gave themselves a new password stays signed in here.
                login_user(staff)
            flash(_("Changes to %(name)s are saved.", name=staff.name), "success")
            return redirect(url_for(".staff_list"))
    return render_template("auth/staff_form.html", form=form, staff=staff)


@bp.route("/admin/api-clients")
@require("clients:admin")
def client_list():
    clients = service.list_api_clients(current_principal())
    return render_template("auth/client_list.html", clients=clients)


@bp.route("/admin/api-clients/new", methods=["GET", "POST"])
@require("clients:admin")
def client_create():
    form = ApiClientForm(property_options=_property_options())
    if form.validate_on_submit():
        try:
            client, key = service.create_api_client(
                principal=current_principal(),
                name=form.name.data,
                scopes=form.scopes.data,
                properties=service.properties_by_code(form.properties.data),
            )
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            # Rendered, not redirected to: the key exists only in this response.
            response = current_app.make_response(render_template("auth/client_key.html", client=client, key=key))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("auth/client_form.html", form=form, permissions=PERMISSIONS)


@bp.route("/admin/api-clients/<int:client_id>")
@require("clients:admin")
def client_detail(client_id):
    client = service.get_api_client(current_principal(), client_id) or abort(404)
    key_start = f"{service.API_KEY_PREFIX}_{client.key_prefix}_"
    return render_template("auth/client_detail.html", client=client, key_start=key_start, permissions=PERMISSIONS)


@bp.route("/admin/api-clients/<int:client_id>/revoke", methods=["GET", "POST"])
@require("clients:admin")
def client_revoke(client_id):
    client = service.get_api_client(current_principal(), client_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.revoke_api_client(current_principal(), client)
        flash(_("The key of %(name)s is revoked.", name=client.name), "success")
        return redirect(url_for(".client_detail", client_id=client.id))
    return render_template("auth/client_revoke.html", client=client, form=form)
