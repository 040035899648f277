from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .audit import user_access_of, user_access_record
from .models import User
from .reauthentication import authenticated_recently


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "display_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "password1", "password2"],
            },
        ),
    ]

    # Adding, changing or deleting a user (their permissions included) needs a recent
    # log-in or a confirmation of one's identity, as in Wagtail's user screens.
    def changeform_view(self, request, *args, **kwargs):
        _recent_for_post(request)
        return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        _recent_for_post(request)
        return super().delete_view(request, *args, **kwargs)

    def user_change_password(self, request, *args, **kwargs):
        _recent_for_post(request)
        return super().user_change_password(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        # Compared after the groups are saved too (save_related), for the audit log.
        form.access_before = user_access_of(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_access_record(user=form.instance, before=form.access_before)


def _recent_for_post(request) -> None:
    if request.method == "POST" and not authenticated_recently(request):
        raise ReauthenticationRequired()
