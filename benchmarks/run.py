"""`make bench`: Leap's benchmark against PostgreSQL and Redis, with production settings
(cms.settings.bench). It drops and makes its own database (leap_bench) and empties its
own Redis database (6), migrates, seeds the demo, and measures; then runs `seed_scale`
and measures again; then the stages that need processes of their own. Figures go to
benchmarks/results/<date>.json and .md, and the Markdown is printed at the end.

Stages: screens (every screen in this process, beside a bare-page floor, at demo size and
at scale), throughput (gunicorn, nginx and wrk), bake (Leap's bake path beside the raw
bakery), bulk (N badges through a real Celery worker). A quick run:

    .venv/bin/python benchmarks/run.py --scale 0.1 --requests 50 --badges 1000
    .venv/bin/python benchmarks/run.py --only screens --sizes demo --requests 200
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.bench"  # its own database, always

STAGES = ("screens", "throughput", "bake", "bulk")
SIZES = ("demo", "scale")


def _list(choices: tuple[str, ...]):
    def parse(text: str) -> list[str]:
        chosen = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in chosen if item not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(f"not one of {', '.join(choices)}: {unknown}")
        return chosen

    return parse


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", type=_list(STAGES), default=list(STAGES), help="stages to run")
    parser.add_argument("--sizes", type=_list(SIZES), default=list(SIZES), help="data sizes")
    parser.add_argument("--scale", type=float, help="seed_scale --scale (its default: 1)")
    parser.add_argument("--seed", type=int, help="seed_scale --seed")
    parser.add_argument(
        "--screens",
        help="only these screens, by name, comma-separated (e.g. 'district dashboard,"
        "dashboard, heavy learner')",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per screen")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="measure leap_bench as it is: no drop, migrate or seeding (seed_scale still runs "
        "for the scale size unless --no-seed-scale)",
    )
    parser.add_argument("--no-seed-scale", action="store_true", help="with --reuse-db")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seconds", type=int, default=8, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="wrk rounds over the endpoints")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--bakes", type=int, default=200, help="bakes per path")
    parser.add_argument("--badges", type=int, default=10_000, help="badges in the bulk award")
    parser.add_argument("--concurrency", type=int, default=2, help="the Celery worker's")
    parser.add_argument("--bulk-timeout", type=float, default=900, help="seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    return parser.parse_args(argv)


BENCH_DATABASE = "leap_bench"


def database_checked() -> None:
    """Stop unless the settings name the benchmark's own database: the run drops and seeds
    it (with --reuse-db, seed_scale --replace still deletes and seeds)."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if name != BENCH_DATABASE:
        raise SystemExit(
            f"Refusing to drop or seed {name!r}: the benchmark's database is {BENCH_DATABASE} "
            "(cms.settings.bench; BENCH_DATABASE_URL may name another server, not another "
            "database)."
        )


def database_fresh() -> None:
    """Drop the benchmark's database and make it again, empty; empty its Redis database and
    its media folders."""
    import psycopg
    import redis
    from django.conf import settings

    database_checked()
    database = settings.DATABASES["default"]
    name = database["NAME"]
    server = psycopg.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        autocommit=True,
    )
    with server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    for folder in (settings.MEDIA_ROOT, settings.STORAGES["private"]["OPTIONS"]["location"]):
        shutil.rmtree(folder, ignore_errors=True)


def static_manifest_reload() -> None:
    """This process's static files storage read its manifest when Django started, which on
    a fresh clone was before `collectstatic` made it: read it again, or every page fails
    with "Missing staticfiles manifest entry"."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    if hasattr(staticfiles_storage, "load_manifest"):
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = (
            staticfiles_storage.load_manifest()
        )


def seed_scale_available() -> bool:
    return (ROOT / "cms" / "management" / "commands" / "seed_scale.py").exists()


def screen_visits(targets) -> list[tuple[str, str, dict, bytes | None]]:
    """Every screen as a request gunicorn can be asked (with the role's session cookie)."""
    import json

    from django.conf import settings

    from benchmarks import screens

    cookies = {}
    visits = []
    for screen in screens.SCREENS:
        url = screen.url(targets) if callable(screen.url) else screen.url
        headers = {"Accept": screen.accept} if screen.accept else {}
        if screen.user is not None:
            if screen.user not in cookies:
                client = screens.signed_in_client(targets.users[screen.user])
                cookies[screen.user] = client.cookies[settings.SESSION_COOKIE_NAME].value
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookies[screen.user]}"
        body = None
        if screen.post_json is not None:
            body = json.dumps(screen.post_json(targets)).encode()
            headers["Content-Type"] = "application/json"
        visits.append((screen.name, url, headers, body))
    return visits


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    import django

    django.setup()

    from benchmarks import report, screens
    from benchmarks.processes import log, manage

    if "throughput" in args.only:
        from benchmarks.throughput import tools_missing

        if tools_missing():
            raise SystemExit(
                f"The throughput stage needs {' and '.join(tools_missing())}: "
                "sudo apt-get install -y wrk nginx-light (or leave the stage out: "
                "--only screens,bake,bulk)"
            )

    database_checked()
    started = time.perf_counter()
    results: dict = {
        "date": report.now_utc().isoformat(timespec="seconds"),
        "arguments": " ".join(sys.argv[1:] if argv is None else argv),
        "stages": args.only,
        "setup_seconds": {},
        "screens": {},
        "notes": [],
    }
    work = Path(tempfile.mkdtemp(prefix="leap-bench-"))
    failed = False
    try:
        if not args.reuse_db:
            log("dropping and making leap_bench; migrating and seeding the demo")
            database_fresh()
            results["setup_seconds"]["migrate"] = manage("migrate", "--no-input", "-v", "0")
            results["setup_seconds"]["collectstatic"] = manage(
                "collectstatic", "--no-input", "-v", "0"
            )
            static_manifest_reload()
            results["setup_seconds"]["seed_demo"] = manage("seed_demo", "--allow-production")
        results["machine"] = report.machine()
        targets = None
        for size in args.sizes:
            scale_file = None
            if size == "scale":
                if not seed_scale_available():
                    results["notes"].append(
                        "seed_scale is not there yet: the scale size was not measured."
                    )
                    log(results["notes"][-1])
                    continue
                if not (args.reuse_db and args.no_seed_scale):
                    options = ["--allow-production"]  # the bench runs with DEBUG off
                    if args.scale is not None:
                        options += ["--scale", str(args.scale)]
                    if args.seed is not None:
                        options += ["--seed", str(args.seed)]
                    if args.reuse_db:
                        options.append("--replace")
                    log(f"seed_scale {' '.join(options)}")
                    results["setup_seconds"]["seed_scale"] = manage("seed_scale", *options)
                    results["scale_options"] = options
                scale_file = screens.SCALE_FILE
            if "screens" in args.only:
                log(f"screens at {size} size, {args.requests} requests each")
                results["screens"][size] = screens.run(
                    requests=args.requests,
                    warmup=args.warmup,
                    scale_file=scale_file,
                    screens=screens.screens_named(args.screens),
                    log=log,
                )
            targets = screens.targets_resolve(scale_file)
        if targets is None:
            targets = screens.targets_resolve(None)
        if "throughput" in args.only:
            from benchmarks import throughput

            log("throughput: gunicorn, nginx and wrk")
            results["throughput"] = throughput.run(
                work=work,
                assertion_uuid=targets.assertion_uuid,
                visits=screen_visits(targets),
                web_workers=args.web_workers,
                seconds=args.seconds,
                rounds=args.rounds,
                connections=args.connections,
                threads=min(2, os.cpu_count() or 2),
            )
        if "bake" in args.only:
            from benchmarks import baking

            log(f"baking, {args.bakes} times each path")
            results["bake"] = baking.run(bakes=args.bakes)
        if "bulk" in args.only:
            from benchmarks import bulk

            log(f"bulk award of {args.badges} badges through a Celery worker")
            results["bulk"] = bulk.run(
                work=work,
                badges=args.badges,
                concurrency=args.concurrency,
                timeout=args.bulk_timeout,
            )
    except BaseException as error:
        failed = True
        results["notes"].append(f"The run stopped: {error!r} (see {work}).")
        traceback.print_exc()
    finally:
        results["seconds"] = round(time.perf_counter() - started, 1)
        results.setdefault("machine", {})
        if results["machine"]:
            part = ""
            if args.only != list(STAGES) or args.sizes != list(SIZES):
                sizes = args.sizes if "screens" in args.only else []
                part = "-".join([*args.only, *sizes])
            json_path, md_path = report.write(results, out=args.out, part=part)
            print(md_path.read_text())
            log(f"figures: {json_path} and {md_path}")
    not_ok = [
        f"{size}: {row['name']} answered {row['status']}"
        for size, stage in results["screens"].items()
        for row in stage["screens"]
        if row["status"] != 200
    ]
    if not_ok:
        log("Screens that did not answer 200 (their figures mean nothing): " + "; ".join(not_ok))
    if failed or not_ok:
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
