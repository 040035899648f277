"""Scale data, part four: evidence, reviews and badges (`python manage.py seed_scale`
explains the whole).

Each scale micro-credential gets its badge art and badge class through the services
(`badge_art_ensure`, what publishing would have run, and `badge_class_for_micro_credential`),
then, in bulk: a reviewer pool for every micro-credential with the crowd's reviewers, the
named reviewer and the lead; assertions as `assertion_award` makes them (hashed recipient,
salt, subject, expiry, a bit in the platform's status list, the badge line on the PD
ledger; a few revoked, some expired); submissions in every state, pinned to their badge
version, requirements and rubric, with reviews and rubric scores, earned ones linked to
their assertion; and the named fixtures: 30 badges for the heavy learner, 500 open
reviews for `scale-reviewer@…` across the micro-credentials, split decisions settled by
`scale-lead@…`.

Nothing here sends e-mail, queues baking (a baked image is made when first asked for, as
for any badge whose file is missing), fires webhooks or writes the audit log: the rows are
inserted with `bulk_create`, on purpose. Learning's ledger lines come from
`learning.scale.badge_credits_add`, the bulk counterpart of `learning.services.badge_earned`."""

import uuid
from dataclasses import asdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model

from accounts.scale import PREFIX, bulk_insert, rows_delete, scale_users, uuid_from
from cms.models import MicroCredentialPage
from cms.scale_plan import HEAVY_BADGES, REVIEWER_OPEN
from credentials.double_review import tallies_rebuild
from credentials.models import (
    Assertion,
    BadgeClass,
    CriterionScore,
    DoubleReviewTally,
    PoolMember,
    Review,
    ReviewerPool,
    StatusListEntry,
    Submission,
)
from credentials.openbadges.ob2 import absolute
from credentials.openbadges.status_list import FILL_LIMIT, LIST_SIZE
from credentials.requirements import requirements_of, rubric_of
from credentials.services.badge_art import badge_art_ensure
from credentials.services.badges import badge_class_for_micro_credential, identity_hash
from credentials.services.issuers import issuer_platform
from learning.scale import SENTENCES, badge_credits_add

POOL_NAME = f"{PREFIX}pool: every micro-credential"
REVOKED_SHARE = 0.005
REVOCATION_REASON = "Issued in error: the evidence belonged to another submission."
# The chains of attempts a learner makes at one micro-credential: for one they hold the
# badge of (ending in "earned"), and for one they do not.
HELD_CHAINS = [(("earned",), 70), (("not_yet", "earned"), 30)]
OPEN_CHAINS = [
    (("not_yet",), 35),
    (("in_review",), 15),
    (("submitted",), 8),
    (("draft",), 25),
    (("withdrawn",), 7),
    (("not_yet", "in_review"), 10),
]
FLUSH_EVERY = 20_000
SPLIT_SHARE = 0.1  # of double-reviewed decisions: the two disagreed and a lead settled it
ZERO = uuid.UUID(int=0)


def present() -> bool:
    return ReviewerPool.objects.filter(name__startswith=PREFIX).exists()


def remove(report) -> None:
    people = scale_users()
    submissions = Submission.objects.filter(learner__in=people)
    assertions = Assertion.objects.filter(recipient__in=people)
    count = 0
    for queryset in (
        DoubleReviewTally.objects.filter(review__submission__in=submissions),
        CriterionScore.objects.filter(review__submission__in=submissions),
        Review.objects.filter(submission__in=submissions),
        submissions,
        StatusListEntry.objects.filter(assertion__in=assertions),
        assertions,
        PoolMember.objects.filter(user__in=people),
    ):
        count += rows_delete(queryset)
    ReviewerPool.objects.filter(name__startswith=PREFIX).delete()
    pages = MicroCredentialPage.objects.filter(slug__startswith=PREFIX)
    for badge_class in BadgeClass.objects.filter(micro_credential__in=pages):
        badge_class.image.delete(save=False)
        badge_class.delete()
        count += 1
    # The art drawn for the pages (Wagtail removes the files).
    get_image_model().objects.filter(pk__in=pages.values("badge_image_id")).delete()
    report.removed("credentials rows", count)


class _Badges:
    """Each scale micro-credential with what a submission pins and a review scores."""

    def __init__(self, pages: list[MicroCredentialPage]):
        self.pages = pages
        self.by_pk = {page.pk: page for page in pages}
        self.badge_class = {}
        self.requirements = {}
        self.text_ids = {}
        self.rubric = {}
        for page in pages:
            # What publishing would have done (credentials.signals), then the badge version.
            badge_art_ensure(page=page)
            self.badge_class[page.pk] = badge_class_for_micro_credential(page=page)
            requirements = requirements_of(page)
            self.requirements[page.pk] = [asdict(r) for r in requirements]
            self.text_ids[page.pk] = [r.id for r in requirements if r.takes_text]
            self.rubric[page.pk] = [{"id": cid, **value} for cid, value in rubric_of(page)]


def _pool(plan, report, people) -> None:
    pool = ReviewerPool.objects.create(name=POOL_NAME)
    report.made(ReviewerPool, 1)
    since = plan.now - timedelta(days=700)
    members = [(user_id, False) for user_id in people["reviewers"]]
    members += [(people["named"]["reviewer"], False), (people["named"]["lead"], True)]
    bulk_insert(
        PoolMember,
        (
            # The pool has no exemplars, so everyone in it is calibrated.
            PoolMember(
                pool=pool, user_id=user_id, is_lead=lead, joined_at=since, calibrated_at=since
            )
            for user_id, lead in members
        ),
        report=report,
    )


# Assertions.


def _holdings(plan, learners: list[int], badges: _Badges) -> list[list[int]]:
    """How many badges each learner holds (a few hold many, most a handful), as lists of
    distinct micro-credential ids summing to `plan.assertions`."""
    rng = plan.rng
    cap = len(badges.pages)
    weights = [rng.random() ** 3 + 0.02 for _ in learners]
    counts = [0] * len(learners)
    for index in rng.choices(range(len(learners)), weights, k=plan.assertions):
        counts[index] += 1
    spill = sum(max(0, c - cap) for c in counts)
    counts = [min(c, cap) for c in counts]
    while spill:
        index = rng.randrange(len(learners))
        if counts[index] < cap:
            counts[index] += 1
            spill -= 1
    pks = [page.pk for page in badges.pages]
    return [rng.sample(pks, count) for count in counts]


def _assertions(plan, report, people, badges: _Badges, issuer) -> dict:
    """Every assertion, and (learner, micro-credential) → (assertion id, issued on)."""
    rng, now = plan.rng, plan.now
    learners = people["learners"]
    heavy = people["named"]["heavy"]
    plans = list(zip(learners, _holdings(plan, learners, badges), strict=True))
    plans.append((heavy, rng.sample([p.pk for p in badges.pages], HEAVY_BADGES)))
    url = absolute(reverse("credentials:assertion", args=[ZERO]))
    image = reverse("credentials:assertion_image", args=[ZERO])
    made = []  # (learner, page id, uuid, issued on, expires on, revoked at)

    def rows():
        for learner, page_ids in plans:
            email = people["email"][learner]
            for page_id in page_ids:
                badge_class = badges.badge_class[page_id]
                if learner == heavy:  # recent, so valid (validity is two years or more)
                    days, revoked = rng.randint(1, 300), False
                else:
                    days = int(730 * rng.random() ** 1.5)
                    revoked = rng.random() < REVOKED_SHARE
                issued = now - timedelta(days=days, minutes=rng.randrange(1, 1440))
                months = badge_class.validity_months
                expires = issued + relativedelta(months=months) if months else None
                salt = f"{rng.getrandbits(128):032x}"
                revoked_at = _between(rng, issued, now) if revoked else None
                assertion = Assertion(
                    uuid=uuid_from(rng),
                    badge_class_id=badge_class.pk,
                    badge_family=badge_class.family,
                    recipient_id=learner,
                    recipient_email=email,
                    salt=salt,
                    identity_hash=identity_hash(email, salt),
                    subject_id=people["subject"][learner],
                    issued_on=issued,
                    expires_on=expires,
                    is_current=not revoked,
                    revoked=revoked,
                    revocation_reason=REVOCATION_REASON if revoked else "",
                    revoked_at=revoked_at,
                    is_public=rng.random() < 0.25,
                    updated_at=revoked_at or issued,
                )
                made.append((learner, page_id, assertion.uuid, issued, expires, revoked_at))
                yield assertion

    pks = bulk_insert(Assertion, rows(), report=report)
    _status_entries(plan, report, issuer, pks)
    badge_credits_add(
        (
            {
                "user_id": learner,
                "source_key": f"badge:{uid}",
                "page_id": page_id,
                "title": badges.badge_class[page_id].name,
                "hours": badges.badge_class[page_id].pd_hours,
                "earned_on": timezone.localdate(issued),
                "url": url.replace(str(ZERO), str(uid)),
                "image_url": image.replace(str(ZERO), str(uid)),
                "expires_on": timezone.localdate(expires) if expires else None,
                "created_at": issued,
                "voided_at": revoked_at,
                "void_reason": f"Badge revoked: {REVOCATION_REASON}" if revoked_at else "",
            }
            for learner, page_id, uid, issued, expires, revoked_at in made
        ),
        report=report,
    )
    heavy_uuid = next(uid for learner, _p, uid, *_ in made if learner == heavy)
    report.url("assertion", url.replace(str(ZERO), str(heavy_uuid)))
    return {
        (learner, page_id): (pk, issued, revoked_at is not None)
        for pk, (learner, page_id, _uid, issued, _e, revoked_at) in zip(pks, made, strict=True)
    }


def _status_entries(plan, report, issuer, assertion_pks: list[int]) -> None:
    """Each assertion's bit in the issuer's status lists, drawn at random in lists filled
    at most half, after the lists real awards have used."""
    rng = plan.rng
    latest = StatusListEntry.objects.filter(issuer=issuer).aggregate(n=Max("number"))["n"]
    first = 0 if latest is None else latest + 1

    def rows():
        for start in range(0, len(assertion_pks), FILL_LIMIT):
            chunk = assertion_pks[start : start + FILL_LIMIT]
            indexes = rng.sample(range(LIST_SIZE), len(chunk))
            number = first + start // FILL_LIMIT
            for pk, index in zip(chunk, indexes, strict=True):
                yield StatusListEntry(
                    assertion_id=pk, issuer_id=issuer.pk, number=number, index=index
                )

    bulk_insert(StatusListEntry, rows(), report=report)


# Submissions and reviews.


def _between(rng, start, end):
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds)) if seconds > 0 else start


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class _Evidence:
    """Submissions and their reviews as they are drawn, inserted FLUSH_EVERY submissions
    at a time (so memory stays flat at any size), between one learner's attempts at a
    micro-credential and the next."""

    def __init__(self, plan, people, badges: _Badges):
        self.rng, self.now = plan.rng, plan.now
        self.badges = badges
        self.reviewers = people["reviewers"]
        # Completed reviews also went to the named reviewer; open ones only to the crowd,
        # so the named reviewer's open work is exactly REVIEWER_OPEN.
        self.completing = [*people["reviewers"], people["named"]["reviewer"]]
        self.lead = people["named"]["lead"]
        self.submissions: list[tuple[Submission, int | None]] = []  # (row, index of previous)
        self.reviews: list[tuple[int, Review, list]] = []  # (submission index, review, scores)

    def add(
        self,
        *,
        learner,
        page_id,
        attempt,
        state,
        submitted,
        decided=None,
        assertion=None,
        previous=None,
        reviewer=None,
    ) -> int:
        rng = self.rng
        draft = state == Submission.State.DRAFT
        created = (submitted or self.now) - timedelta(days=rng.randint(1, 20))
        submission = Submission(
            learner_id=learner,
            micro_credential_id=page_id,
            attempt=attempt,
            state=state,
            answers={
                rid: " ".join(rng.sample(SENTENCES, rng.randint(2, 5)))
                for rid in self.badges.text_ids[page_id]
            },
            revision=rng.randint(1, 6),
            privacy_confirmed_at=None if draft else submitted,
            created_at=created,
            updated_at=decided or submitted or created,
            submitted_at=None if draft else submitted,
            decided_at=decided,
            assertion_id=assertion,
            badge_class_id=None if draft else self.badges.badge_class[page_id].pk,
            # The requirements and rubric pinned when sent are written below, per
            # micro-credential.
        )
        self.submissions.append((submission, previous))
        index = len(self.submissions) - 1
        self._reviews(index, submission, reviewer)
        return index

    def _reviews(self, index: int, submission: Submission, reviewer) -> None:
        rng = self.rng
        state = submission.state
        if state not in (*Submission.QUEUE_STATES, *Submission.DECIDED_STATES):
            return
        if state == Submission.State.SUBMITTED:
            return  # waiting for the worker to assign reviewers
        page = self.badges.by_pk[submission.micro_credential_id]
        assigned = submission.submitted_at + timedelta(minutes=rng.randint(5, 240))
        if state == Submission.State.IN_REVIEW:
            people = [reviewer] if reviewer else rng.sample(self.reviewers, page.reviewers_required)
            for person in people:
                self._review(index, person, assigned, None, None)
            return
        final = state  # earned or not_yet
        people = rng.sample(self.completing, page.reviewers_required)
        split = len(people) == 2 and rng.random() < SPLIT_SHARE
        for number, person in enumerate(people):
            decision = final if not split or number == 0 else self._other(final)
            done = _between(rng, assigned, submission.decided_at)
            self._review(
                index,
                person,
                assigned,
                decision,
                submission.decided_at if not split and number == len(people) - 1 else done,
            )
        if split:
            self._review(
                index, self.lead, assigned, final, submission.decided_at, role=Review.Role.LEAD
            )

    @staticmethod
    def _other(decision: str) -> str:
        earned, not_yet = Submission.State.EARNED, Submission.State.NOT_YET
        return not_yet if decision == earned else earned

    def _review(
        self, index, reviewer, assigned, decision, completed, role=Review.Role.REVIEWER
    ) -> None:
        rng = self.rng
        submission = self.submissions[index][0]
        review = Review(
            reviewer_id=reviewer,
            role=role,
            state=Review.State.COMPLETED if decision else Review.State.ASSIGNED,
            assigned_at=assigned,
            due_at=assigned + timedelta(days=7),
            completed_at=completed,
            decision=decision or "",
        )
        scores = []
        if decision:
            criteria = self.badges.rubric[submission.micro_credential_id]
            missed = set()
            if decision == Review.Decision.NOT_YET:
                missed = set(rng.sample(range(len(criteria)), rng.randint(1, len(criteria))))
            for number, criterion in enumerate(criteria):
                met = number not in missed
                scores.append(
                    CriterionScore(
                        criterion_id=criterion["id"],
                        title=criterion["title"][:150],
                        result=CriterionScore.Result.MEETS
                        if met
                        else CriterionScore.Result.NOT_YET,
                        feedback="" if met else criterion.get("feedback_guidance") or "Say more.",
                    )
                )
        self.reviews.append((index, review, scores))

    def flush_if_full(self, report) -> None:
        if len(self.submissions) >= FLUSH_EVERY:
            self.flush(report)

    def flush(self, report) -> None:
        # Second attempts point at the first, so the first attempts go in first.
        rows = [row for row, previous in self.submissions]
        firsts = [row for row, previous in self.submissions if previous is None]
        bulk_insert(Submission, firsts, report=report)
        for row, previous in self.submissions:
            if previous is not None:
                row.previous_id = rows[previous].pk
        bulk_insert(
            Submission,
            (row for row, previous in self.submissions if previous is not None),
            report=report,
        )
        for index, review, _scores in self.reviews:
            review.submission_id = rows[index].pk
        bulk_insert(Review, (review for _i, review, _s in self.reviews), report=report)

        def scores():
            for _index, review, rows_ in self.reviews:
                for score in rows_:
                    score.review_id = review.pk
                    yield score

        bulk_insert(CriterionScore, scores(), report=report)
        self.submissions.clear()
        self.reviews.clear()

    def pin(self) -> None:
        """The requirements and rubric every sent submission pins: the same 3 KB for all
        of a micro-credential's, so one UPDATE each writes them in the database, three
        times faster than sending 100,000 copies through the inserts."""
        sent = Submission.objects.filter(learner__in=scale_users()).exclude(
            state=Submission.State.DRAFT
        )
        for page in self.badges.pages:
            sent.filter(micro_credential=page).update(
                requirements=self.badges.requirements[page.pk],
                rubric=self.badges.rubric[page.pk],
            )


def _submissions(plan, report, people, badges: _Badges, held: dict) -> None:
    rng, now = plan.rng, plan.now
    evidence = _Evidence(plan, people, badges)
    learners = people["learners"]
    page_ids = [page.pk for page in badges.pages]
    holding: dict[int, list[int]] = {}
    for learner, page_id in held:
        holding.setdefault(learner, []).append(page_id)
    used: set[tuple[int, int]] = set()
    weights = [rng.random() + 0.1 for _ in learners]
    left = plan.submissions
    while left > 0:
        for learner in rng.choices(learners, weights, k=left):
            if left <= 0:
                break
            own = holding.get(learner, [])
            page_id = rng.choice(own) if own and rng.random() < 0.6 else rng.choice(page_ids)
            if (learner, page_id) in used:
                continue
            used.add((learner, page_id))
            left -= _chain(evidence, rng, now, learner, page_id, held.get((learner, page_id)), left)
            evidence.flush_if_full(report)
    _reviewer_queue(plan, people, evidence, badges, held, used)
    evidence.flush(report)
    evidence.pin()


def _chain(evidence, rng, now, learner, page_id, holding, left: int) -> int:
    """One learner's attempts at one micro-credential, oldest first; returns how many."""
    chain = _weighted(rng, OPEN_CHAINS if holding is None else HELD_CHAINS)[:left]
    if holding is not None and chain[-1] == "earned":
        assertion, decided, _revoked = holding
    elif chain[-1] in ("draft", *Submission.QUEUE_STATES):  # still open: recent
        assertion, decided = None, now - timedelta(days=rng.randint(0, 10))
    else:
        days = int(365 * rng.random() ** 2)
        assertion, decided = None, now - timedelta(days=days, minutes=rng.randrange(1440))
    # Walk back from the last attempt.
    times = []
    for state in reversed(chain):
        submitted = decided - timedelta(days=rng.randint(1, 14), minutes=rng.randrange(1440))
        times.append((state, submitted, decided))
        decided = submitted - timedelta(days=rng.randint(3, 30))
    previous = None
    for attempt, (state, submitted, decided_at) in enumerate(reversed(times), start=1):
        earned = state == "earned"
        previous = evidence.add(
            learner=learner,
            page_id=page_id,
            attempt=attempt,
            state=state,
            submitted=submitted,
            decided=decided_at if state in Submission.DECIDED_STATES else None,
            assertion=assertion if earned else None,
            previous=previous,
        )
    return len(chain)


def _reviewer_queue(plan, people, evidence, badges: _Badges, held, used) -> None:
    """REVIEWER_OPEN submissions in review, each assigned to the named reviewer, spread
    over the micro-credentials; about a fifth overdue."""
    rng, now = plan.rng, plan.now
    reviewer = people["named"]["reviewer"]
    learners = people["learners"]
    for number in range(REVIEWER_OPEN):
        page_id = badges.pages[number % len(badges.pages)].pk
        while True:
            learner = rng.choice(learners)
            if (learner, page_id) not in used and (learner, page_id) not in held:
                break
        used.add((learner, page_id))
        overdue = rng.random() < 0.2
        submitted = now - timedelta(
            days=rng.randint(8, 20) if overdue else rng.randint(0, 6), minutes=rng.randrange(1440)
        )
        evidence.add(
            learner=learner,
            page_id=page_id,
            attempt=1,
            state=Submission.State.IN_REVIEW,
            submitted=submitted,
            reviewer=reviewer,
        )


def seed(plan, report) -> None:
    people, pages = report.shared["people"], report.shared["pages"]
    issuer = issuer_platform()
    badges = _Badges(pages["micro_credentials"])
    report.made(BadgeClass, len(badges.badge_class))
    _pool(plan, report, people)
    held = _assertions(plan, report, people, badges, issuer)
    _submissions(plan, report, people, badges, held)
    # The reviews went in by bulk insert, past the service that tallies them as they complete.
    tallied = tallies_rebuild(
        tally_model=DoubleReviewTally, score_model=CriterionScore, submission_model=Submission
    )
    report.made(DoubleReviewTally, tallied)
    report.url("review_queue", absolute(reverse("review:queue")))
    report.url("lead_report", absolute(reverse("review_lead:reports")))
