"""Wagtail's user and group screens for Leap: forms for Leap's user model, and changes to
who may do what (adding, editing or deleting users; editing groups' permissions) only after
a recent log-in or a confirmation of one's identity (accounts.reauthentication)."""

from wagtail.users.views import groups, users

from .forms import WagtailUserCreationForm, WagtailUserEditForm
from .reauthentication import RecentAuthenticationRequiredMixin as Recent


class UserCreateView(Recent, users.CreateView):
    pass


class UserEditView(Recent, users.EditView):
    pass


class UserDeleteView(Recent, users.DeleteView):
    pass


class UserViewSet(users.UserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView

    def get_form_class(self, for_update: bool = False):
        return WagtailUserEditForm if for_update else WagtailUserCreationForm


class GroupCreateView(Recent, groups.CreateView):
    pass


class GroupEditView(Recent, groups.EditView):
    pass


class GroupDeleteView(Recent, groups.DeleteView):
    pass


class GroupViewSet(groups.GroupViewSet):
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    delete_view_class = GroupDeleteView
