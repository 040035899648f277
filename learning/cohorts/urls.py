"""Book clubs: /book-clubs/…"""

from django.urls import path

from learning.cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("ask/", views.cohort_request, name="request"),
    path("district/<slug:slug>/new/", views.cohort_create, name="create"),
    path("<int:pk>/", views.cohort_detail, name="detail"),
    path("<int:pk>/join/", views.cohort_join, name="join"),
    path("<int:pk>/leave/", views.cohort_leave, name="leave"),
    path("<int:pk>/invitation/", views.invitation, name="invitation"),
    path("<int:pk>/edit/", views.cohort_edit, name="edit"),
    path("<int:pk>/open/", views.cohort_open, name="open"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/schedule/add/", views.session_add, name="session_add"),
    path("<int:pk>/schedule/<int:session_id>/", views.session_edit, name="session_edit"),
    path("<int:pk>/schedule/<int:session_id>/merge/", views.session_merge, name="session_merge"),
    path("<int:pk>/schedule/<int:session_id>/split/", views.session_split, name="session_split"),
    path("<int:pk>/schedule/<int:session_id>/remove/", views.session_remove, name="session_remove"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "<int:pk>/members/invite-address/",
        views.member_invite_address,
        name="member_invite_address",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path(
        "<int:pk>/members/<int:place_id>/<str:answer>/",
        views.member_answer,
        name="member_answer",
    ),
]
