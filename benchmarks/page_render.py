"""Time in-process renders of a page: median and p90 milliseconds, and queries per request."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(args.path)  # warm caches
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(args.path)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(args.path)
    timings.sort()
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(
        f"{args.path}: median {statistics.median(timings):.2f} ms, p90 {p90:.2f} ms, "
        f"{len(queries.captured_queries)} queries, {args.runs} runs"
    )


if __name__ == "__main__":
    main()
