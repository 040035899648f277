"""The load test's simulated people (run by loadtest/run.py; see docs/reliability.md).

- Learners sign in, open their dashboard and their draft, and autosave it again and
  again, each save carrying a new token; every save the server acknowledged is written
  down, so the runner can check afterwards that each learner's draft holds their last
  acknowledged token: no write lost.
- Verifiers, signed out, fetch badges as a backpack or an employer would: the Open Badges
  2.0 JSON, the public page, the baked image and the Open Badges 3.0 credential.
- Reviewers sign in (password, then their authenticator code, as staff must) and work
  through their queue and the reviews in it.

Any answer that is not what a person would accept (an error status, a refused save, a
sign-in that did not take) counts as a failure.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time

from locust import HttpUser, between, events, task

with open(os.environ["LOADTEST_DATA"]) as seeded:
    DATA = json.load(seeded)
ACKED: dict[str, str] = {}  # learner e-mail -> the last token the server acknowledged
_learners = itertools.cycle(DATA["learners"])
_reviewers = itertools.cycle(DATA["reviewers"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Each simulated person comes from an address of their own, through the "proxy" the stack
# trusts (loadtest/settings.py), as people do behind a real one: rate limits count per person.
_addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 or 1}" for n in itertools.count(1))


def from_own_address(user: HttpUser) -> None:
    user.client.headers["X-Forwarded-For"] = next(_addresses)


@events.quitting.add_listener
def _write_acknowledged(environment, **kwargs):
    with open(os.environ["LOADTEST_WRITES"], "w") as out:
        json.dump(ACKED, out)


class SignedIn(HttpUser):
    abstract = True

    def sign_in(self, email: str, password: str) -> None:
        page = self.client.get("/accounts/login/", name="log-in form")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "login": email,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="log in",
            catch_response=True,
        ) as response:
            if response.url.endswith("/accounts/2fa/authenticate/"):
                response.success()
                self.second_step(email)
            elif response.status_code != 200 or "/accounts/" in response.url:
                response.failure(f"{email} was not signed in (ended at {response.url})")

    def second_step(self, email: str) -> None:
        """Staff type the code their authenticator app shows (RFC 6238, as the app does)."""
        page = self.client.get("/accounts/2fa/authenticate/", name="sign-in code form")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/2fa/authenticate/",
            data={
                "code": totp_now(DATA["totp_secret"]),
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/2fa/authenticate/"},
            name="sign-in code",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/accounts/" in response.url:
                response.failure(f"{email}'s code was refused (ended at {response.url})")

    def get_page(self, url: str, name: str) -> None:
        """A signed-in page: being sent to the log-in page is a failure, not a 200."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code} {response.error or ''}")
            elif "/accounts/" in response.url:
                response.failure(f"{name} sent us to {response.url}")


class Learner(SignedIn):
    weight = 6
    wait_time = between(1, 3)

    def on_start(self):
        from_own_address(self)
        self.me = next(_learners)
        self.revision = self.me["revision"]
        self.saves = 0
        self.sign_in(self.me["email"], DATA["password"])
        self.draft_url = f"/my/submissions/{self.me['submission']}/"

    @task(2)
    def dashboard(self):
        self.get_page("/dashboard/", "dashboard")

    @task(1)
    def badges(self):
        self.get_page("/my/badges/", "my badges")

    @task(4)
    def autosave(self):
        self.saves += 1
        token = f"{self.me['email']}#{self.saves}"
        with self.client.post(
            self.draft_url,
            data={
                "action": "autosave",
                "revision": str(self.revision),
                self.me["answer"]: f"My plan, draft {token}",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={
                "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                "Referer": self.host + self.draft_url,
            },
            name="autosave",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"autosave answered {response.status_code}")
                return
            if not response.headers.get("Content-Type", "").startswith("application/json"):
                response.failure(f"autosave answered with a page ({response.url}): signed out?")
                return
            answer = response.json()
            if not answer.get("saved"):
                response.failure(f"autosave not saved: {answer}")
                return
            self.revision = answer["revision"]
            ACKED[self.me["email"]] = token

    @task(1)
    def draft(self):
        self.get_page(self.draft_url, "draft")


class Verifier(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        from_own_address(self)
        self.assertions = DATA["assertions"]

    @task(3)
    def json(self):
        uuid = random.choice(self.assertions)
        self.client.get(
            f"/public/assertions/{uuid}",
            headers={"Accept": "application/ld+json"},
            name="assertion JSON",
        )

    @task(2)
    def page(self):
        self.client.get(f"/public/assertions/{random.choice(self.assertions)}", name="badge page")

    @task(1)
    def image(self):
        self.client.get(
            f"/public/assertions/{random.choice(self.assertions)}/image", name="baked image"
        )

    @task(1)
    def ob3(self):
        self.client.get(
            f"/public/assertions/{random.choice(self.assertions)}/ob3.json", name="OB 3.0"
        )


class Reviewer(SignedIn):
    weight = 1
    wait_time = between(2, 4)

    def on_start(self):
        from_own_address(self)
        self.account = next(_reviewers)
        self.sign_in(self.account["email"], DATA["password"])

    @task(2)
    def queue(self):
        self.get_page("/review/", "review queue")

    @task(1)
    def review(self):
        if self.account["reviews"]:
            self.get_page(f"/review/{random.choice(self.account['reviews'])}/", "review")


def totp_now(secret: str) -> str:
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
