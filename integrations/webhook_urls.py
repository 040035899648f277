from django.urls import path

from integrations import webhook_views

urlpatterns = [
    path("<slug:slug>/webhooks/", webhook_views.district_webhooks, name="district_webhooks"),
    path("<slug:slug>/webhooks/<int:pk>/", webhook_views.webhook_log, name="webhook_log"),
    path(
        "<slug:slug>/webhooks/<int:pk>/remove", webhook_views.webhook_remove, name="webhook_remove"
    ),
    path(
        "<slug:slug>/webhooks/<int:pk>/resume", webhook_views.webhook_resume, name="webhook_resume"
    ),
    path("<slug:slug>/webhooks/<int:pk>/ping", webhook_views.webhook_ping, name="webhook_ping"),
    path(
        "<slug:slug>/webhooks/<int:pk>/deliveries/<int:delivery_pk>/send-again",
        webhook_views.webhook_send_again,
        name="webhook_send_again",
    ),
]
