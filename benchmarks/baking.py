"""The bake stage: Leap's own bake path beside openbadges-bakery's `bake` on the same image
and the same assertion JSON, in turn, N times each, in this process.

- raw: `openbadges_bakery.bake` on the image bytes and the JSON text, both read once;
- raw, stored: the same, then its bytes written to the media storage under one name (as
  Leap does), the least any path that keeps the baked image can cost;
- service: `credentials.openbadges.baking.assertion_bake` (builds the assertion's JSON,
  reads the badge image from storage, bakes, writes the file, records its name);
- task: the body of the `credentials.tasks.assertion_bake` task as the worker runs it
  (the assertion loaded first), without the broker round trip: one award's bake;
- chunk task, per bake: the body of `credentials.tasks.assertions_bake`, which bakes a bulk
  award's chunk (up to 100 assertions of one badge class) in one run and records their
  names in one update, divided by the bakes it did: a bulk award's bake."""

import io
import json
import statistics
import time

STORED_NAME = "bench/baked-copy.png"
CHUNK = 100  # accounts.batch.CHUNK: a bulk award bakes its chunks in one task each
CHUNK_EVERY = 10


def _chunk_of(assertion) -> list[int]:
    """A bulk award's chunk: CHUNK assertions of the sample's badge class (made for people
    of the benchmark's own where the data has fewer, as the demo does)."""
    import secrets

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from credentials.models import Assertion
    from credentials.services.badges import identity_hash

    same = Assertion.objects.filter(badge_class=assertion.badge_class).order_by("pk")
    missing = CHUNK - same.count()
    if missing > 0:
        password = make_password(None)
        tag = secrets.token_hex(4)
        people = User.objects.bulk_create(
            User(email=f"bake-{tag}-{n}@bench.example", display_name="Bench", password=password)
            for n in range(missing)
        )
        salts = [secrets.token_hex(16) for _ in people]
        Assertion.objects.bulk_create(
            Assertion(
                badge_class=assertion.badge_class,
                badge_family=assertion.badge_family,
                recipient=person,
                recipient_email=person.email,
                salt=salt,
                identity_hash=identity_hash(person.email, salt),
                subject_id=person.credential_subject,
                issued_on=assertion.issued_on,
            )
            for person, salt in zip(people, salts, strict=True)
        )
    return list(same.values_list("pk", flat=True)[:CHUNK])


def run(*, bakes: int = 200, warmup: int = 5) -> dict:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from openbadges_bakery import bake

    from credentials import tasks
    from credentials.models import Assertion
    from credentials.openbadges import baking
    from credentials.openbadges.ob2 import assertion_json

    assertion = Assertion.objects.select_related("badge_class__issuer").order_by("pk").first()
    chunk = _chunk_of(assertion)
    with assertion.badge_class.image.open("rb") as source:
        image = source.read()
    text = json.dumps(assertion_json(assertion))

    def raw_stored():
        content = bake(io.BytesIO(image), text).read()
        if default_storage.exists(STORED_NAME):
            default_storage.delete(STORED_NAME)
        default_storage.save(STORED_NAME, ContentFile(content))

    paths = {
        "raw bakery": lambda: bake(io.BytesIO(image), text).read(),
        "raw bakery, stored": raw_stored,
        "Leap's service": lambda: baking.assertion_bake(assertion=assertion),
        "Leap's task": lambda: tasks.assertion_bake(assertion.pk),
        "Leap's chunk task, per bake": lambda: tasks.assertions_bake(chunk),
    }
    per_call = {"Leap's chunk task, per bake": len(chunk)}
    default_storage.delete(STORED_NAME)
    for _ in range(warmup):
        for path in paths.values():
            path()
    walls = {name: [] for name in paths}
    cpus = {name: [] for name in paths}
    # In turn, so a machine that gets busier part-way slows every path alike.
    for turn in range(bakes):
        for name, path in paths.items():
            if name in per_call and turn % CHUNK_EVERY:
                continue  # a chunk is 100 bakes: one turn in ten is plenty
            wall, cpu = time.perf_counter(), time.process_time()
            path()
            cpus[name].append((time.process_time() - cpu) * 1000 / per_call.get(name, 1))
            walls[name].append((time.perf_counter() - wall) * 1000 / per_call.get(name, 1))
    figures = {
        name: {
            "bakes": len(walls[name]) * per_call.get(name, 1),
            "median_ms": round(statistics.median(walls[name]), 3),
            "cpu_median_ms": round(statistics.median(cpus[name]), 3),
            "bakes_per_second": round(len(walls[name]) / (sum(walls[name]) / 1000), 1),
        }
        for name in paths
    }
    default_storage.delete(STORED_NAME)
    raw = figures["raw bakery"]["median_ms"]
    ratios = {
        "stored_over_raw": round(raw / figures["raw bakery, stored"]["median_ms"], 3),
        "service_over_raw": round(raw / figures["Leap's service"]["median_ms"], 3),
        "task_over_raw": round(raw / figures["Leap's task"]["median_ms"], 3),
        "chunk_task_over_raw": round(raw / figures["Leap's chunk task, per bake"]["median_ms"], 3),
    }
    return {
        "image_bytes": len(image),
        "image_type": "svg" if assertion.badge_class.image_is_svg else "png",
        "json_bytes": len(text),
        "paths": figures,
        "ratios": ratios,
        "chunk_size": len(chunk),
        "target": 0.5,
        # Met by the path that bakes in volume (a bulk award's chunks); one award's own
        # bake (the task) is reported beside it.
        "met": ratios["chunk_task_over_raw"] >= 0.5,
    }
