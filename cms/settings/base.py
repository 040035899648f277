"""Settings shared by every environment. Values that differ per deployment come from the
environment (see README's configuration table); dev, test and production adjust the rest."""

from pathlib import Path

from celery.schedules import crontab

from cms.cache import redis_cache

from .env import (
    database_from_env,
    env_bool,
    env_client_credentials,
    env_fernet_keys,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

# The absolute base of every URL that leaves the site: Open Badges ids, links in e-mails.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))

INSTALLED_APPS = [
    "accounts",
    "cms",
    "learning",
    "credentials",
    "integrations",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.LeapWagtailUsersConfig",  # Wagtail's user admin, for our user model
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.middleware.SecurityHeadersMiddleware",
    "cms.middleware.UploadedFilesSecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts and from where, for the audit log (services are not given the request).
    "accounts.request_context.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.idle.StaffIdleTimeoutMiddleware",
    "accounts.second_factor.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Content-Security-Policy of Leap's own pages (cms.middleware.SecurityHeadersMiddleware):
# script and styles come only from Leap's files in static/, never inline (no <script> blocks,
# no on…= handlers, no style attributes), so injected markup can run nothing. Signing in
# with Google or Microsoft posts a form that the site sends on to the provider.
LEAP_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'", "https://accounts.google.com", "https://login.microsoftonline.com"],
    "frame-ancestors": ["'none'"],
}
# Wagtail's and Django's admins write inline script and styles of their own (Wagtail's is
# not yet CSP-clean upstream: with script-src 'self' alone, the page editor's choosers stop
# working, as the editorial browser journey shows), and Wagtail shows page previews in a
# frame and image previews as data: and blob: URLs. Only editors and staff reach these
# paths, after signing in.
LEAP_CSP_ADMIN_PATHS = ("/admin/", "/django-admin/")
LEAP_CSP_ADMIN = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# Browser features no Leap screen uses (evidence is uploaded as files: no camera capture).
LEAP_PERMISSIONS_OFF = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "usb",
    "xr-spatial-tracking",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, a SQLite file when DATABASE_URL is unset.
DATABASES = {"default": database_from_env(VAR_DIR / "leap.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when REDIS_URL is set, is the cache, the Celery broker and its result store.
# The cache fails open: with Redis down, pages are built from the database (cms/cache.py).
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, key_prefix=env_str("CACHE_KEY_PREFIX", "leap"))}
else:
    # Without Redis (the embedded default) the cache is files every process shares: a
    # badge revoked from the shell or a worker must not stay cached in the web process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: without Redis, tasks run in-process at the moment they are enqueued.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Nothing reads a task's return value (the outbox row and the batch job say how work
# went), so none is written to Redis; a task that needs one can ask with ignore_result=False.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work after its commit waits at most this long on an unreachable
# broker; the work is in the outbox either way (accounts.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# No task runs longer than 15 minutes (queued work sets shorter limits of its own).
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# With acks_late a running task's message stays unacknowledged, and Redis hands an
# unacknowledged message out again after visibility_timeout: it must outlast the longest
# task, or a slow task would run twice. It is also how long Redis keeps the message of a
# worker that was killed (kombu's default is an hour); the outbox publishes queued work
# again much sooner (a little after that task's own limit).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables when beat starts; editable in the Django admin.
CELERY_BEAT_SCHEDULE = {
    # Queued work whose fast path failed, whose retry is due, or whose worker was lost.
    "outbox-relay": {
        "task": "accounts.tasks.outbox_relay",
        "schedule": crontab(),  # every minute
        # A pass still queued after 50 s is dropped: the next one replaces it
        # (django-celery-beat's name for Celery's `expires`).
        "options": {"expire_seconds": 50},
    },
    # /health/ reports the worker late when this has not run for three minutes; a heartbeat
    # still queued after a minute says nothing new, so it expires.
    "worker-heartbeat": {
        "task": "cms.tasks.worker_heartbeat",
        "schedule": 60.0,
        "options": {"expire_seconds": 60},  # django-celery-beat's name for `expires`
    },
    "scheduled-publishing": {
        "task": "cms.tasks.pages_publish_scheduled",
        "schedule": crontab(minute="*/5"),
    },
    "reviews-overdue": {
        "task": "credentials.tasks.reviews_reassign_overdue",
        "schedule": crontab(minute=15),
    },
    # Reviews the code before the lead report's tallies recorded during a deploy.
    "double-review-tallies-mend": {
        "task": "credentials.tasks.double_review_tallies_mend",
        "schedule": crontab(hour=3, minute=45),
    },
    "evidence-orphan-files": {
        "task": "credentials.tasks.artifacts_purge_orphans",
        "schedule": crontab(hour=3, minute=30),
    },
    # The district figures' rows of changes, summed to one per group (they stay right
    # without it; it keeps the dashboard's read short after a busy hour).
    "rollup-groups-compact": {
        "task": "accounts.tasks.rollup_groups_compact",
        "schedule": crontab(minute="*/10"),
        "options": {"expire_seconds": 9 * 60},
    },
    # The district roll-ups compared with their sources summed afresh; summed again if not.
    "rollup-groups-mend": {
        "task": "accounts.tasks.rollup_groups_mend",
        "schedule": crontab(hour=3, minute=50),
    },
    # People behind their district's PD-hours goal: reminded once a month.
    "pd-goals-remind-behind": {
        "task": "learning.tasks.pd_goals_remind_behind",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
    # Badges learners added from other issuers: revoked or expired elsewhere shows here.
    "external-badges-recheck": {
        "task": "credentials.tasks.external_badges_recheck",
        "schedule": crontab(hour=4, minute=10),
    },
    "badge-expiry-reminders": {
        "task": "credentials.tasks.assertions_remind_expiring",
        "schedule": crontab(hour=6, minute=0),
    },
    "cohort-meeting-reminders": {
        "task": "learning.cohorts.tasks.cohorts_remind_meetings",
        "schedule": crontab(minute="*/15"),
    },
    # Long staff actions (accounts.batch) whose run was lost are picked up again.
    "batch-jobs-resume": {
        "task": "accounts.tasks.batches_resume_stalled",
        "schedule": crontab(minute="*/5"),
    },
    # Daily digest of reminders and updates (accounts), 12:00 UTC: morning across US zones.
    "notification-digests": {
        "task": "accounts.tasks.notifications_send_digests",
        "schedule": crontab(hour=12, minute=0),
    },
    # Cohort alerts (learning/cohorts/alerts.py); each decides its own local time.
    "cohort-discussion-nudges": {
        "task": "learning.cohorts.tasks.cohorts_nudge_quiet_members",
        "schedule": crontab(minute="*/15"),
    },
    "cohort-missed-meetings": {
        "task": "learning.cohorts.tasks.cohorts_alert_missed_meetings",
        "schedule": crontab(minute=40),
    },
    "cohort-facilitator-weekly": {
        "task": "learning.cohorts.tasks.cohorts_send_weekly_digests",
        "schedule": crontab(minute="*/15"),
    },
    "cohort-completion": {
        "task": "learning.cohorts.tasks.cohorts_completion_check",
        "schedule": crontab(hour=4, minute=0),
    },
}
CELERY_TIMEZONE = "UTC"

# The outbox (accounts.outbox): how its relay treats queued work. Seconds unless named.
LEAP_OUTBOX_FAST_PATH_SECONDS = 30  # the relay leaves a new message to its fast path this long
LEAP_OUTBOX_QUEUE_WAIT_SECONDS = 10 * 60  # a published message not started: published again
LEAP_OUTBOX_LOST_GRACE_SECONDS = 60  # past the task's time limit, a started run is lost
LEAP_OUTBOX_BROKER_PAUSE_SECONDS = 30  # after the broker refused one, leave work to the relay
LEAP_OUTBOX_RELAY_BATCH = 500  # messages a relay reads at a time ...
LEAP_OUTBOX_RELAY_SECONDS = 45  # ... batch after batch, for up to this long a pass
LEAP_OUTBOX_KEEP_DAYS = 7  # done messages are forgotten after this
LEAP_OUTBOX_ATTENTION_MINUTES = 60  # waiting longer than this is shown to staff

# The proxies in front of Leap (a TLS terminator, a load balancer) whose X-Forwarded-For may
# be believed: addresses or networks. Every rate limit (Leap's and allauth's) counts per
# client address, read through these hops only (accounts.client_ip); unset, the address
# that connected (REMOTE_ADDR) is the client.
LEAP_TRUSTED_PROXIES = env_networks("LEAP_TRUSTED_PROXIES")
# The public badge verifier (credentials.verification) fetches what a badge points at on
# a stranger's behalf: at most this many bytes per document or upload, this many seconds
# to connect and to read, and never a private address, except from the hosts listed here
# (development and tests only: leave it empty in production).
LEAP_VERIFY_MAX_BYTES = env_int("LEAP_VERIFY_MAX_BYTES", 5_000_000, minimum=100_000)
LEAP_VERIFY_TIMEOUT_SECONDS = env_int("LEAP_VERIFY_TIMEOUT_SECONDS", 5, minimum=1, maximum=30)
LEAP_VERIFY_LOCAL_HOSTS = env_list("LEAP_VERIFY_LOCAL_HOSTS", [])

# Leap's own rate limits (accounts.throttle): per scope, (how many, in how many seconds) per
# person ("user"; visitors by address) and per address ("ip"). Past one: 429, "Please wait".
# A school's staff may share one address, hence the larger per-address figures.
LEAP_THROTTLES = {
    # Codes that did not match: district and book-club join codes (failures only)…
    "join-code": {"user": (10, 15 * 60), "ip": (50, 15 * 60)},
    # …a meeting's six-digit check-in code…
    "check-in-code": {"user": (10, 15 * 60)},
    # …and invitation links that match no invitation.
    "invitation-token": {"ip": (20, 15 * 60)},
    # Draft autosaves: a person pauses at most about once a second; a script does not stop.
    "autosave": {"user": (300, 5 * 60)},
    # CSV and zip downloads of people's records.
    "export": {"user": (30, 10 * 60), "ip": (100, 10 * 60)},
    # Public verification (Open Badges JSON, pages, images, keys): generous, per address.
    "public": {"ip": (600, 60)},
    # Badge verification: each check may fetch a dozen documents from other sites.
    "verify": {"ip": (30, 60)},
    # The district REST API, per token (integrations.api.authentication)…
    "api": {"token": (env_int("LEAP_API_REQUESTS_PER_MINUTE", 300, minimum=1), 60)},
    # …and tokens it does not know, per address (failures only).
    "api-unknown-token": {"ip": (20, 15 * 60)},
}

# Accounts: e-mail is the login; allauth handles sign-up, verification, reset and MFA.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Staff (who see other people's data) are signed out after this long without a request;
# learners keep the ordinary two-week session (accounts.idle).
LEAP_STAFF_IDLE_MINUTES = env_int("LEAP_STAFF_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
LOGIN_REDIRECT_URL = "/dashboard/"
# Staff roles need a second factor (an authenticator app) before they reach staff screens
# (accounts.second_factor): each function names the user's role that needs one, or None.
LEAP_STAFF_ROLE_RULES = [
    "accounts.second_factor.platform_role_get",
    "cms.selectors.staff_role_get",
    "credentials.selectors.review.staff_role_get",
    "learning.selectors.staff_role_get",
]
# The staff screens, by path: the CMS and Django admin, review, district screens, audit log.
LEAP_STAFF_SCREENS = ["/admin/", "/django-admin/", "/review/", "/district/", "/audit/"]
# Book-club facilitators are teachers who see their club's members only: off by default.
LEAP_MFA_FOR_FACILITATORS = env_bool("LEAP_MFA_FOR_FACILITATORS", False)
# Sensitive actions (revoking, bulk awards, role changes, exports, deletions) need a log-in
# or a confirmation of one's identity within this long (accounts.reauthentication).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 60 * env_int(
    "LEAP_REAUTHENTICATION_MINUTES", 10, minimum=1, maximum=12 * 60
)
# Where people land after logging in, asked in order (see accounts.adapter): reviewers on
# their queue (leads on the lead tools), district admins on their district, editors in the
# CMS; everyone else on LOGIN_REDIRECT_URL.
LEAP_LANDING_RULES = [
    "credentials.selectors.review.landing_get",
    "learning.selectors.landing_get",
    "cms.selectors.landing_get",
]
# The home page's figures: each function returns [{"value": n, "label": "..."}], so cms
# shows numbers from the apps above it without importing them.
LEAP_SITE_FIGURES = [
    "credentials.selectors.badges.badge_figure_list",
    "learning.selectors.learner_figure_list",
    "cms.selectors.catalogue_figure_list",
]
# The menu's facts about the signed-in person: each function returns {name: expression on
# the person's row}, and accounts.context_processors.navigation reads them in one query.
LEAP_NAV_FACTS = [
    "accounts.selectors.navigation_facts",
    "learning.selectors.navigation_facts",
    "credentials.selectors.review.navigation_facts",
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "accounts.login_form.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address from the sign-up e-mail (in the browser that signed up) signs the
# person in and lands them where their work is (or where the link they followed led).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Leap] "
# Tell people when their password or address changes (security notices, in Leap's words).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_PREVENT_ENUMERATION = True
# Wrong passwords: 10 a minute from one address, and 5 in 5 minutes for one account from one
# address (accounts.adapter keys allauth's count by account and address, and adds a cap per
# account from all addresses together), so a stranger's guesses never lock the owner out.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"  # authenticator keys encrypted at rest
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Leap"
MFA_TOTP_TOLERANCE = 1  # accept the neighbouring 30-second code: phones' clocks drift

# Sign-in with Google and Microsoft. A provider's button shows when its client id and secret
# are in the environment, or when an admin adds a "social application" for it in the Django
# admin (one or the other per provider: allauth refuses two apps for one provider).
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False  # the flow starts from a POST button, never from a link
SOCIALACCOUNT_AUTO_SIGNUP = True  # no extra form when the provider gives a usable e-mail
# A social log-in whose e-mail the provider marks verified signs in to the Leap account with
# that address and connects to it. allauth checks `verified` itself: Google's email_verified
# claim; Microsoft's addresses are never marked verified (see docs/architecture.md).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
MICROSOFT_TENANT = env_str("MICROSOFT_TENANT", "organizations")  # work and school accounts
SOCIALACCOUNT_PROVIDERS = {
    "google": {"SCOPE": ["openid", "email", "profile"], "OAUTH_PKCE_ENABLED": True},
    "microsoft": {"TENANT": MICROSOFT_TENANT, "OAUTH_PKCE_ENABLED": True},
}
for _provider, _credentials in (
    ("google", env_client_credentials("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")),
    ("microsoft", env_client_credentials("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET")),
):
    if _credentials:
        _client_id, _secret = _credentials
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"] = [
            {"name": _provider.title(), "client_id": _client_id, "secret": _secret}
        ]

# E-mail: SMTP when EMAIL_HOST is set; each environment chooses its fallback.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Leap <no-reply@leap.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Open Badges: the platform's issuer profile (districts get their own later).
LEAP_ISSUER_NAME = env_str("LEAP_ISSUER_NAME", "Leap")
LEAP_ISSUER_EMAIL = env_str("LEAP_ISSUER_EMAIL", "")
# Encrypt issuers' private signing keys at rest: Fernet keys, comma-separated, the first one
# current (unset in development: derived from SECRET_KEY; required in production).
LEAP_KEY_ENCRYPTION_KEYS = env_fernet_keys("LEAP_KEY_ENCRYPTION_KEYS")

# Evidence and review (issue defaults; see README).
LEAP_ARTIFACT_MAX_MB = env_int("LEAP_ARTIFACT_MAX_MB", 50, minimum=1, maximum=2048)
LEAP_REVIEW_DAYS = env_int("LEAP_REVIEW_DAYS", 5, minimum=1, maximum=60)  # business days
LEAP_REVIEW_OVERDUE_MARGIN_DAYS = env_int("LEAP_REVIEW_OVERDUE_MARGIN_DAYS", 2, minimum=0)
# Agreement with the exemplars' references under which the lead tools mark a reviewer
# "below the bar"; it does not gate work (scoring every exemplar calibrates a reviewer).
LEAP_CALIBRATION_BAR = env_int("LEAP_CALIBRATION_BAR_PERCENT", 80, minimum=1, maximum=100) / 100

# Data rights (accounts.data_rights): each app's personal_data module says what it holds
# about a person, what the download carries and what deleting the account does. Evidence
# files beyond this many MB in all are listed, not included, in the download.
LEAP_PERSONAL_DATA = [
    "accounts.personal_data",
    "cms.personal_data",
    "learning.personal_data",
    "credentials.personal_data",
    "integrations.personal_data",
]
LEAP_PERSONAL_DATA_FILES_MAX_MB = env_int(
    "LEAP_PERSONAL_DATA_FILES_MAX_MB", 200, minimum=1, maximum=4096
)

# Learning: the month a school year starts (transcript totals; 7 = July, as in the US).
LEAP_SCHOOL_YEAR_START_MONTH = env_int("LEAP_SCHOOL_YEAR_START_MONTH", 7, minimum=1, maximum=12)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Evidence files: outside MEDIA_ROOT and never served by URL; a view checks permission.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = "Leap"
WAGTAILADMIN_BASE_URL = SITE_URL
# The admin dashboard would ask releases.wagtail.org for a newer version: no call leaves the
# site at run time (and the Content-Security-Policy refuses it). Upgrades follow the lock.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Editors sign in through allauth (see cms.views.cms_login) so that two-factor authentication
# applies to the CMS too; e-mail and password changes go through allauth, which verifies them.
WAGTAILADMIN_LOGIN_URL = "cms_login"
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Avatars from the local default, never Gravatar: nothing is fetched from other sites.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Wagtail's audit trail is kept in the database; the console needs only problems.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# The district REST API (integrations.api): read-only, by per-district tokens, one page at
# a time by cursor. Its OpenAPI schema is at /api/v1/schema, documented at /api/v1/docs.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.api.authentication.TokenHasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.authentication.ApiTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.IdCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "integrations.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Leap district API",
    "DESCRIPTION": (
        "Read-only data about one district's people and their professional learning: "
        "members and schools, pathway progress, self-assessment results, badges, book "
        "clubs and attendance, PD hours. Send a token a district admin created as "
        "`Authorization: Bearer <token>`; each token reads only its own district, and only "
        "what its scopes allow."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["integrations.api.schema.api_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.api.schema.error_responses",
    ],
}

# District webhooks (integrations.webhooks). Hosts named in LEAP_WEBHOOK_LOCAL_HOSTS may be
# plain http and private or local addresses (development and tests only; every other
# endpoint is https on a public address). An endpoint whose deliveries failed this many
# times in a row is paused and its district admins told. Delivered and given-up
# deliveries are forgotten after LEAP_WEBHOOK_KEEP_DAYS (daily, by beat).
LEAP_WEBHOOK_LOCAL_HOSTS = env_list("LEAP_WEBHOOK_LOCAL_HOSTS", [])
LEAP_WEBHOOK_PAUSE_AFTER = env_int("LEAP_WEBHOOK_PAUSE_AFTER", 15, minimum=1)
LEAP_WEBHOOK_TIMEOUT_SECONDS = 10
LEAP_WEBHOOK_KEEP_DAYS = env_int("LEAP_WEBHOOK_KEEP_DAYS", 90, minimum=1)
CELERY_BEAT_SCHEDULE["webhook-deliveries-purge"] = {
    "task": "integrations.tasks.webhook_deliveries_purge",
    "schedule": crontab(hour=3, minute=50),
}
