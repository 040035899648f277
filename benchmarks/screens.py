"""The screens stage: every screen rendered in this process through Django's full middleware
stack (the test client), many times after a warm-up, beside a floor measured the same way
in the same run: a bare Wagtail page with only a title, on the same base template.

Each screen is one line of SCREENS: a name, its URL (or a function of the data that gives
it), who asks for it, and whether it is a content page or a heavy one (the issue's
targets differ). Who and which pages come from `var/scale.json` when `seed_scale` wrote
one, else from the demo (`targets_resolve`)."""

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CONTENT, HEAVY = "content", "heavy"
# Issue 16's targets: CPU time as a multiple of the floor's, and p95 wall time.
TARGETS = {
    CONTENT: {"cpu_ratio": 3.0, "p95_ms": 25.0},
    HEAVY: {"cpu_ratio": 6.0, "p95_ms": 75.0},
}
JSON_LD = "application/ld+json"
FLOOR_SLUG = "bench-floor"
SCALE_FILE = Path(__file__).resolve().parents[1] / "var" / "scale.json"

DEMO_USERS = {
    "heavy": "learner@leap.example",
    "reviewer": "reviewer@leap.example",
    "lead": "lead@leap.example",
    "district_admin": "district-admin@leap.example",
    "facilitator": "facilitator@leap.example",
}
# The people seed_scale names in var/scale.json ("users": key -> {"id", "email"}), by role
# here; their e-mail starts with "scale-<key>@" should the file not say.
SCALE_USERS = {
    "heavy": "heavy",
    "reviewer": "reviewer",
    "lead": "lead",
    "district_admin": "district-admin",
}


@dataclass
class Targets:
    """The data each screen is asked about: people (e-mail by role) and URLs and ids."""

    source: str
    users: dict[str, str]
    pathway_url: str
    micro_credential_url: str
    book_url: str
    catalogue_url: str
    explorer_url: str
    district_slug: str
    cohort_id: int
    assertion_uuid: str
    floor_url: str = f"/{FLOOR_SLUG}/"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Screen:
    name: str
    url: str | Callable[[Targets], str]
    user: str | None  # a role in Targets.users; None: anonymous
    kind: str = CONTENT
    accept: str = ""
    post_json: Callable[[Targets], dict] | None = None
    before: Callable[[Targets], None] | None = None  # run before each timed request


def _forget_assertion_json(targets: Targets) -> None:
    from django.core.cache import cache

    from credentials.openbadges import cache as public_cache

    cache.delete(public_cache.assertion_key(targets.assertion_uuid))


def _assertion_url(targets: Targets) -> str:
    return f"/public/assertions/{targets.assertion_uuid}"


def _verify_body(targets: Targets) -> dict:
    from django.conf import settings

    return {"url": settings.SITE_URL + _assertion_url(targets)}


def _district(path: str) -> Callable[[Targets], str]:
    return lambda t: f"/district/{t.district_slug}/{path}"


SCREENS = [
    Screen("home", "/", None),
    Screen("pathway", lambda t: t.pathway_url, None),
    Screen("micro-credential", lambda t: t.micro_credential_url, None),
    Screen("book", lambda t: t.book_url, None),
    Screen("catalogue, filtered", lambda t: t.catalogue_url, None),
    Screen("framework explorer", lambda t: t.explorer_url, None),
    Screen("search", "/search/?q=data", None),
    Screen("dashboard, heavy learner", "/dashboard/", "heavy", HEAVY),
    Screen("plan, heavy learner", "/my/plan/", "heavy", HEAVY),
    Screen("transcript, heavy learner", "/my/transcript/", "heavy", HEAVY),
    Screen("review queue", "/review/", "reviewer", HEAVY),
    Screen("lead report", "/review/lead/reports/", "lead", HEAVY),
    Screen("district members", _district(""), "district_admin", HEAVY),
    Screen("district dashboard", _district("insights/"), "district_admin", HEAVY),
    Screen("district heatmap", _district("insights/coverage/"), "district_admin", HEAVY),
    Screen("cohort page", lambda t: f"/book-clubs/{t.cohort_id}/", "facilitator"),
    Screen(
        "assertion JSON, cold",
        _assertion_url,
        None,
        accept=JSON_LD,
        before=_forget_assertion_json,
    ),
    Screen("assertion JSON, cached", _assertion_url, None, accept=JSON_LD),
    Screen("public badge page", _assertion_url, None, accept="text/html"),
    Screen("verify endpoint", "/public/verify", None, post_json=_verify_body),
    Screen("health", "/health/", None),
    Screen("bare page, signed in", lambda t: t.floor_url, "heavy"),
]


def screens_named(text: str | None) -> list[Screen] | None:
    """The screens named in `text`, comma-separated, in SCREENS's order (None: every
    screen). A name with a comma of its own ("dashboard, heavy learner") is read whole. An
    unknown name is refused with the list of known ones."""
    if not text:
        return None
    known = {screen.name for screen in SCREENS}
    parts = [part.strip() for part in text.split(",")]
    names, unknown, start = set(), [], 0
    while start < len(parts):
        # The longest run of parts from here that is a screen's name.
        for end in range(len(parts), start, -1):
            if ", ".join(parts[start:end]) in known:
                names.add(", ".join(parts[start:end]))
                start = end
                break
        else:
            if parts[start]:
                unknown.append(parts[start])
            start += 1
    if unknown:
        listed = "; ".join(screen.name for screen in SCREENS)
        raise SystemExit(f"No screen named {', '.join(unknown)}; the screens: {listed}")
    return [screen for screen in SCREENS if screen.name in names]


# ---- the data ----


def floor_page_ensure() -> str:
    """The floor: a standard page with only a title under the home page (not in menus),
    made once. Returns its URL."""
    from wagtail.models import Site

    from cms.models import StandardPage

    home = Site.objects.get(is_default_site=True).root_page.specific
    page = StandardPage.objects.filter(slug=FLOOR_SLUG).first()
    if page is None:
        page = home.add_child(instance=StandardPage(title="Bench floor", slug=FLOOR_SLUG))
        page.save_revision().publish()
    return page.get_url()


def _user_email(prefix: str, fallback: str) -> str:
    from accounts.models import User

    found = (
        User.objects.filter(email__istartswith=prefix + "@").values_list("email", flat=True).first()
    )
    return found or fallback


def _path(url: str) -> str:
    """A URL from scale.json as a path on this site."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def targets_resolve(scale_file: Path | None = SCALE_FILE) -> Targets:
    """What each screen asks about: seed_scale's people and pages when it has run (its
    `var/scale.json`, and the users it names in the database), else the demo's."""
    from accounts.models import User
    from cms.models import (
        BookPage,
        Framework,
        FrameworkIndexPage,
        MicroCredentialIndexPage,
        MicroCredentialPage,
        PathwayPage,
    )
    from credentials.models import Assertion
    from learning.models import Cohort, District, Membership

    scale = {}
    if scale_file is not None and scale_file.exists():
        scale = json.loads(scale_file.read_text())
    users = dict(DEMO_USERS)
    if scale:
        named = scale.get("users", {})
        for role, key in SCALE_USERS.items():
            users[role] = (named.get(key) or {}).get("email") or _user_email(
                f"scale-{key}", users[role]
            )
    urls = scale.get("urls", {})

    def url_of(key: str, default: Callable[[], str]) -> str:
        value = urls.get(key) if isinstance(urls, dict) else None
        return _path(value) if isinstance(value, str) and value else default()

    pathway_url = url_of("pathway", lambda: PathwayPage.objects.live().order_by("pk")[0].url)
    badge_page = MicroCredentialPage.objects.live().order_by("pk").first()
    micro_credential_url = url_of("micro_credential", lambda: badge_page.url)
    book_url = url_of("book", lambda: BookPage.objects.live().order_by("pk")[0].url)

    # A filter on an element some micro-credential is aligned with, and an audience.
    catalogue = MicroCredentialIndexPage.objects.live().first()
    element = next(iter(badge_page.aligned_elements), None)
    query = f"?element={element.code}&audience=teacher" if element else "?audience=teacher"
    catalogue_url = catalogue.url + query

    explorer = FrameworkIndexPage.objects.live().first().specific
    framework = (
        Framework.objects.filter(name__icontains="Digital Leap").first()
        or Framework.objects.order_by("pk").first()
    )
    explorer_url = explorer.framework_url(framework)

    district_slug = (scale.get("district") or {}).get("slug")
    if not district_slug:
        # The largest district the district admin runs.
        admin = User.objects.get(email=users["district_admin"])
        districts = District.objects.filter(
            memberships__user=admin, memberships__role=Membership.Role.DISTRICT_ADMIN
        )
        district_slug = max(districts, key=lambda d: d.memberships.count()).slug

    cohort_id = (scale.get("cohort") or {}).get("id")
    cohort = Cohort.objects.filter(pk=cohort_id).first() if cohort_id else None
    if cohort is None:
        from learning.demo_cohort import RUNNING_TITLE

        cohort = Cohort.objects.filter(title=RUNNING_TITLE).first() or Cohort.objects.first()
    facilitator = cohort.members.filter(role="facilitator").select_related("user").first()
    if facilitator is not None:
        users["facilitator"] = facilitator.user.email

    assertion_url = url_of("assertion", lambda: "")
    if assertion_url:
        assertion_uuid = assertion_url.rstrip("/").rsplit("/", 1)[-1]
    else:
        assertion = (
            Assertion.objects.filter(recipient__email=users["heavy"]).order_by("pk").first()
            or Assertion.objects.order_by("pk").first()
        )
        assertion_uuid = str(assertion.uuid)

    return Targets(
        source="scale" if scale else "demo",
        users=users,
        pathway_url=pathway_url,
        micro_credential_url=micro_credential_url,
        book_url=book_url,
        catalogue_url=catalogue_url,
        explorer_url=explorer_url,
        district_slug=district_slug,
        cohort_id=cohort.pk,
        assertion_uuid=assertion_uuid,
        floor_url=floor_page_ensure(),
    )


# ---- measuring ----


def signed_in_client(email: str):
    """A client signed in as the person, as if just now with their password and, as staff
    must, their authenticator app (the staff screens ask for the second factor)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.test import Client

    from accounts.models import User

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    now = time.time()
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def _request(client, screen: Screen, url: str, targets: Targets):
    headers = {"Accept": screen.accept} if screen.accept else {}
    if screen.post_json is not None:
        return client.post(
            url, screen.post_json(targets), content_type="application/json", headers=headers
        )
    return client.get(url, headers=headers)


def measure(
    client,
    screen: Screen,
    targets: Targets,
    *,
    requests: int,
    warmup: int,
    cpu_samples: list[float] | None = None,
    between: Callable[[], None] | None = None,
) -> dict:
    """Time `requests` answers after `warmup` untimed ones; count the queries of one more.
    Each answer's CPU milliseconds are added to `cpu_samples` when given; `between` runs
    after each timed answer, untimed (the floor's paired request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = screen.url(targets) if callable(screen.url) else screen.url
    row = {"name": screen.name, "url": url, "kind": screen.kind, "user": screen.user}
    for _ in range(warmup):
        response = _request(client, screen, url, targets)
    walls, cpus, statuses = [], [], set()
    for _ in range(requests):
        if screen.before:
            screen.before(targets)
        wall, cpu = time.perf_counter(), time.process_time()
        response = _request(client, screen, url, targets)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        statuses.add(response.status_code)
        if between is not None:
            between()
    if cpu_samples is not None:
        cpu_samples.extend(cpus)
    if screen.before:
        screen.before(targets)
    with CaptureQueriesContext(connection) as queries:
        response = _request(client, screen, url, targets)
    row.update(
        status=response.status_code if len(statuses) <= 1 else sorted(statuses),
        requests=requests,
        median_ms=round(statistics.median(walls), 2),
        p95_ms=round(percentile(walls, 0.95), 2),
        cpu_median_ms=round(statistics.median(cpus), 2),
        queries=len(queries.captured_queries),
        # The database's share of that one request (PostgreSQL's time is not this process's
        # CPU time: a screen waiting on its queries shows in wall time only).
        query_ms=round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 2),
        bytes=len(response.content),
    )
    return row


# What each row of results has (tests/cms/test_bench.py checks every one is there).
ROW_FIELDS = (
    "name",
    "url",
    "kind",
    "user",
    "status",
    "requests",
    "median_ms",
    "p95_ms",
    "cpu_median_ms",
    "queries",
    "query_ms",
    "bytes",
    "cpu_ratio",
    "target_cpu_ratio",
    "target_p95_ms",
    "cpu_ratio_met",
    "p95_met",
    "floor_cpu_ms",
)


def judge(row: dict, floor_cpu_ms: float) -> dict:
    """The row's CPU time as a multiple of the floor's, and each target met or missed."""
    target = TARGETS[row["kind"]]
    row["floor_cpu_ms"] = round(floor_cpu_ms, 3)
    row["cpu_ratio"] = round(row["cpu_median_ms"] / floor_cpu_ms, 2)
    row["target_cpu_ratio"] = target["cpu_ratio"]
    row["target_p95_ms"] = target["p95_ms"]
    row["cpu_ratio_met"] = row["cpu_ratio"] <= target["cpu_ratio"]
    row["p95_met"] = row["p95_ms"] <= target["p95_ms"]
    return row


def dataset_counts() -> dict:
    """How big the data is that the screens were measured on."""
    from accounts.models import User
    from credentials.models import Assertion, Review, Submission
    from learning.models import Cohort, District, Enrolment, Membership

    return {
        "users": User.objects.count(),
        "districts": District.objects.count(),
        "memberships": Membership.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "submissions": Submission.objects.count(),
        "reviews": Review.objects.count(),
        "assertions": Assertion.objects.count(),
        "cohorts": Cohort.objects.count(),
    }


def run(
    *,
    requests: int = 200,
    warmup: int = 20,
    scale_file: Path | None = SCALE_FILE,
    screens: list[Screen] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Measure the floor, then each screen with a request for the floor after each of its
    own: a screen's CPU time is judged against the floor's over the same stretch of time,
    request by request, so a machine whose speed changes during the run (other work on it,
    a shared host's bursts) moves both alike."""
    from cms import health

    health.worker_heartbeat_record()  # /health/ answers as it does with a worker running
    targets = targets_resolve(scale_file)
    clients: dict[str | None, object] = {}

    def client_for(role: str | None):
        if role not in clients:
            if role is None:
                from django.test import Client

                clients[role] = Client()
            else:
                clients[role] = signed_in_client(targets.users[role])
        return clients[role]

    floor_screen = Screen("floor: bare page", lambda t: t.floor_url, None)
    floor_client = client_for(None)
    every_floor_sample: list[float] = []
    floor = measure(
        floor_client,
        floor_screen,
        targets,
        requests=requests,
        warmup=warmup,
        cpu_samples=every_floor_sample,
    )
    log(f"floor: CPU {floor['cpu_median_ms']} ms, p95 {floor['p95_ms']} ms")
    paired_medians = []
    rows = []
    for screen in screens if screens is not None else SCREENS:
        health.worker_heartbeat_record()  # fresh: /health/ reports a late one as degraded
        paired: list[float] = []

        def floor_request(into=paired):
            cpu = time.process_time()
            _request(floor_client, floor_screen, targets.floor_url, targets)
            into.append((time.process_time() - cpu) * 1000)

        row = measure(
            client_for(screen.user),
            screen,
            targets,
            requests=requests,
            warmup=warmup,
            between=floor_request,
        )
        every_floor_sample += paired
        paired_medians.append(statistics.median(paired))
        judge(row, paired_medians[-1])
        rows.append(row)
        flag = "" if row["status"] == 200 else f"  ANSWERED {row['status']}"
        log(
            f"{screen.name}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
            f"CPU {row['cpu_median_ms']} ms ({row['cpu_ratio']}x the floor), "
            f"{row['queries']} queries{flag}"
        )
    floor.update(
        cpu_median_ms=round(statistics.median(every_floor_sample), 3),
        paired_cpu_medians_ms=[round(median, 3) for median in paired_medians],
    )
    return {
        "data": targets.source,
        "counts": dataset_counts(),
        "users": {role: targets.users[role] for role in sorted(targets.users)},
        "floor": floor,
        "screens": rows,
    }
