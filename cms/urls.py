from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

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
    path("accounts/", include("accounts.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("accounts.urls")),
    # The URL conf is where the apps meet: each app's screens under their prefixes.
    path("api/v1/", include("integrations.api.urls")),
    path("public/", include("credentials.urls.public")),
    path("verify/", include("credentials.urls.verify")),
    path("my/badges/", include("credentials.urls.learner")),
    path("my/submissions/", include("credentials.urls.submissions")),
    path("review/lead/", include("credentials.urls.lead")),
    path("review/", include("credentials.urls.review")),
    path("district/", include("credentials.urls.district")),
    path("district/", include("integrations.urls")),
    path("book-clubs/", include("learning.cohorts.urls")),
    path("book-clubs/", include("learning.cohorts.urls_participation")),
    path("book-clubs/", include("learning.cohorts.urls_facilitating")),  # wt-cohA
    path("", include("learning.cohorts.urls_feeds")),
    path("", include("learning.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree answers every other URL; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
