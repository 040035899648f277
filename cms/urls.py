from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views
from credentials import district_views as credentials_district_views
from credentials import learner_views

# The Django admin signs people in through allauth too, so two-factor authentication holds.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Leap administration"
admin.site.site_title = "Leap"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("search/", views.search, name="search"),
    path("django-admin/", admin.site.urls),
    # Before Wagtail's own log-in view, which would bypass allauth (and so two-factor).
    path("admin/login/", views.cms_login, name="cms_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("public/", include("credentials.urls")),
    path("my/badges/", learner_views.my_badges, name="my_badges"),
    path("my/badges/export.zip", learner_views.my_badges_export, name="my_badges_export"),
    path(
        "my/badges/<uuid:uuid>/visibility",
        learner_views.my_badge_visibility,
        name="my_badge_visibility",
    ),
    # A district admin's screen, served by credentials (learning never imports it).
    path(
        "district/<slug:slug>/issuer/",
        credentials_district_views.district_issuer,
        name="district_issuer",
    ),
    path("my/submissions/", include("credentials.submission_urls")),
    path("review/", include("credentials.review_urls")),
    path("notifications/", include("credentials.notification_urls")),
    path("review/lead/", include("credentials.lead_urls")),
    path("", include("learning.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree answers every other URL; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
