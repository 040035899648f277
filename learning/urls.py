from django.urls import path

from learning import audit_views, district_views, insights_views, views

app_name = "learning"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.invitation, name="invitation"),
    path("my/self-assessment/", views.assessment_start, name="assessment_start"),
    path("my/self-assessment/<int:pk>/", views.assessment_edit, name="assessment_edit"),
    path("my/self-assessment/<int:pk>/results/", views.assessment_detail, name="assessment_detail"),
    path("my/plan/", views.plan, name="plan"),
    path("my/plan/add/", views.plan_add, name="plan_add"),
    path("my/plan/<int:pk>/move/", views.plan_item_move, name="plan_item_move"),
    path("my/plan/<int:pk>/remove/", views.plan_item_remove, name="plan_item_remove"),
    path("my/pathways/<int:pathway_id>/enrol/", views.pathway_enrol, name="pathway_enrol"),
    path(
        "my/pathways/<int:pathway_id>/steps/<str:step_id>/",
        views.step_update,
        name="step_update",
    ),
    path("my/transcript/", views.transcript, name="transcript"),
    path("my/transcript.csv", views.transcript_csv, name="transcript_csv"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.csv", audit_views.audit_log_csv, name="audit_log_csv"),
    path("district/<slug:slug>/", district_views.district_home, name="district_home"),
    path(
        "district/<slug:slug>/insights/",
        insights_views.district_dashboard,
        name="district_dashboard",
    ),
    path(
        "district/<slug:slug>/insights.csv",
        insights_views.district_dashboard_csv,
        name="district_dashboard_csv",
    ),
    path(
        "district/<slug:slug>/insights/institution/",
        insights_views.district_institution,
        name="district_institution",
    ),
    path(
        "district/<slug:slug>/insights/institution/compare/",
        insights_views.district_institution_compare,
        name="district_institution_compare",
    ),
    path(
        "district/<slug:slug>/insights/institution/<int:pk>/",
        insights_views.district_institution_round,
        name="district_institution_round",
    ),
    path(
        "district/<slug:slug>/insights/goals/",
        insights_views.district_goal_set,
        name="district_goal_set",
    ),
    path(
        "district/<slug:slug>/insights/goals/<int:pk>/remove/",
        insights_views.district_goal_remove,
        name="district_goal_remove",
    ),
    path(
        "district/<slug:slug>/insights/share/",
        insights_views.district_share_create,
        name="district_share_create",
    ),
    path(
        "district/<slug:slug>/insights/share/<int:pk>/revoke/",
        insights_views.district_share_revoke,
        name="district_share_revoke",
    ),
    path("insights/shared/<str:token>/", insights_views.shared_report, name="shared_report"),
    path(
        "district/<slug:slug>/insights/coverage/",
        insights_views.district_coverage,
        name="district_coverage",
    ),
    path(
        "district/<slug:slug>/insights/coverage/people/",
        insights_views.district_coverage_people,
        name="district_coverage_people",
    ),
    path(
        "district/<slug:slug>/insights/coverage.csv",
        insights_views.district_coverage_csv,
        name="district_coverage_csv",
    ),
    path("district/<slug:slug>/audit/", audit_views.district_audit_log, name="district_audit_log"),
    path(
        "district/<slug:slug>/audit/export.csv",
        audit_views.district_audit_log_csv,
        name="district_audit_log_csv",
    ),
    path("district/<slug:slug>/invite/", district_views.district_invite, name="district_invite"),
    path(
        "district/<slug:slug>/invite-csv/",
        district_views.district_invite_csv,
        name="district_invite_csv",
    ),
    path(
        "district/<slug:slug>/invite-csv/<uuid:uuid>/",
        district_views.district_invitations_job,
        name="district_invitations_job",
    ),
    path(
        "district/<slug:slug>/invitations/<int:pk>/resend/",
        district_views.district_invitation_resend,
        name="district_invitation_resend",
    ),
    path(
        "district/<slug:slug>/invitations/<int:pk>/revoke/",
        district_views.district_invitation_revoke,
        name="district_invitation_revoke",
    ),
    path(
        "district/<slug:slug>/join-code/",
        district_views.district_join_code_reset,
        name="district_join_code_reset",
    ),
    path(
        "district/<slug:slug>/members/<int:pk>/",
        district_views.district_member,
        name="district_member",
    ),
    path(
        "district/<slug:slug>/members/<int:pk>/delete/",
        district_views.district_member_delete,
        name="district_member_delete",
    ),
]
