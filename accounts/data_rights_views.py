"""“Your data” in the account settings: download everything Leap holds about you, or delete
your account. Each acts on the signed-in person only."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import data_rights
from accounts.errors import LeapError
from accounts.forms import AccountDeleteForm
from accounts.reauthentication import recent_authentication_required
from accounts.throttle import throttle_allows, throttled

# Wrong passwords on the deletion form, per account: a stolen session cannot guess its way.
DELETE_TRIES = {"limit": 5, "seconds": 15 * 60}
DELETE_WAIT = "Too many tries. Wait a few minutes, then enter your password again."


@login_required
@require_GET
def your_data(request):
    return render(
        request,
        "accounts/your_data.html",
        {"sections": data_rights.sections(), "files_max_mb": data_rights.files_max_mb()},
    )


@login_required
@require_POST
@throttled("export")
@recent_authentication_required
def your_data_download(request):
    archive = data_rights.personal_data_zip(user=request.user)
    name = f"leap-data-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if not throttle_allows(scope="account-delete", key=str(user.pk), **DELETE_TRIES):
            form.add_error(None, DELETE_WAIT)
            return render(request, "accounts/account_delete.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                data_rights.account_delete(
                    user=user, revoke_badges=form.cleaned_data["revoke_badges"]
                )
            except LeapError as error:
                error.add_to_form(form)
            else:
                logout(request)
                return redirect("account_deleted")
        status = 400
    return render(request, "accounts/account_delete.html", {"form": form}, status=status)


@require_GET
def account_deleted(request):
    return render(request, "accounts/account_deleted.html")
