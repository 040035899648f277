from django.urls import include, path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("<slug:slug>/api/", views.district_api, name="district_api"),
    path("<slug:slug>/api/tokens/<int:pk>/revoke", views.api_token_revoke, name="token_revoke"),
    path("", include("integrations.webhook_urls")),
]
