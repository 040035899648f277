"""What the run was measured on, and its figures as `benchmarks/results/<date>.json` and a
Markdown page of tables beside it (each target met or missed)."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.processes import ROOT

RESULTS = Path(__file__).resolve().parent / "results"


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """The machine, the software versions and the code the figures came from."""
    import django
    import redis
    import wagtail
    from django.conf import settings
    from django.db import connection

    database = connection.display_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    redis_version = None
    if settings.REDIS_URL:
        redis_version = redis.Redis.from_url(settings.REDIS_URL).info("server")["redis_version"]
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "database": database,
        "redis": redis_version,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_uncommitted_changes": bool(_git("status", "--porcelain")),
    }


def now_utc() -> datetime:
    return datetime.now(UTC)


def write(results: dict, *, out: Path = RESULTS, part: str = "") -> tuple[Path, Path]:
    """`<date>.json` and `.md`; a run of only some stages or sizes names them after the date
    (`<date>-<part>`), so it does not replace the day's full run."""
    out.mkdir(parents=True, exist_ok=True)
    name = results["date"][:10] + (f"-{part}" if part else "")
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path


def _mark(met: bool | None) -> str:
    if met is None:
        return "n/a"
    return "met" if met else "**missed**"


def _screens_table(size: str, stage: dict) -> list[str]:
    floor = stage["floor"]
    lines = [
        f"### Screens at {size} size ({stage['data']} data)",
        "",
        "Data: " + ", ".join(f"{count:,} {name}" for name, count in stage["counts"].items()) + ".",
        "",
        f"Floor (a bare page, `{floor['url']}`, anonymous): CPU {floor['cpu_median_ms']:.2f} ms "
        "over the run (a floor request after each of a screen's, and each screen judged "
        "against the floor's median over its own; those medians ranged "
        f"{min(floor['paired_cpu_medians_ms']):.2f}-{max(floor['paired_cpu_medians_ms']):.2f} ms), "
        "median wall "
        f"{floor['median_ms']:.2f} ms, p95 {floor['p95_ms']:.2f} ms, {floor['queries']} queries.",
        "",
        "CPU ms is this process's (Python) time, the median over the timed requests; query ms is "
        "the time PostgreSQL took over the queries of one more request (not part of CPU ms).",
        "",
        "| screen | kind | status | median ms | p95 ms | CPU ms | × floor | queries | query ms "
        "| KB | CPU target | p95 target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in stage["screens"]:
        status = row["status"] if row["status"] == 200 else f"**{row['status']}**"
        lines.append(
            f"| {row['name']} | {row['kind']} | {status} | {row['median_ms']:.1f} "
            f"| {row['p95_ms']:.1f} | {row['cpu_median_ms']:.1f} | {row['cpu_ratio']:.2f} "
            f"| {row['queries']} | {row['query_ms']:.1f} | {row['bytes'] / 1024:.1f} "
            f"| ≤ {row['target_cpu_ratio']:g}×: {_mark(row['cpu_ratio_met'])} "
            f"| ≤ {row['target_p95_ms']:g} ms: {_mark(row['p95_met'])} |"
        )
    return lines + [""]


def _throughput_table(result: dict) -> list[str]:
    settings = result["settings"]
    lines = [
        "### Throughput through gunicorn and nginx",
        "",
        f"gunicorn: {settings['web_workers']} {settings['worker_class']} workers; wrk: "
        f"{settings['wrk_threads']} threads, {settings['connections']} connections, "
        f"{settings['seconds']} s per run after {settings['warmup_seconds']} s of warm-up, "
        f"{settings['rounds']} round(s) (median shown). The assertion's Cache-Control: "
        f"`{result['assertion_cache_control']}`; nginx cache status of three requests in a row: "
        + "; ".join(f"{k}: {', '.join(v)}" for k, v in result["cache_statuses"].items())
        + ".",
        "",
        "| endpoint | requests/s |",
        "|---|---|",
    ]
    for name, rps in result["requests_per_second"].items():
        lines.append(f"| {name} | {rps:,.0f} |")
    ratios, targets, met = result["ratios"], result["targets"], result["met"]
    lines += [
        "",
        "| ratio | value | target |",
        "|---|---|---|",
        f"| assertion JSON / minimal Django view | {ratios['assertion_over_minimal']:.2f} "
        f"| ≥ {targets['assertion_over_minimal']}: {_mark(met['assertion_over_minimal'])} |",
        f"| minimal view with one Redis round trip / minimal Django view "
        f"| {ratios['redis_minimal_over_minimal']:.2f} | (the cost of the round trip) |",
        f"| assertion JSON / minimal view with one Redis round trip "
        f"| {ratios['assertion_over_redis_minimal']:.2f} "
        f"| ≥ {targets['assertion_over_redis_minimal']}: "
        f"{_mark(met['assertion_over_redis_minimal'])} |",
        f"| assertion JSON through the cache / static file | {ratios['cached_over_static']:.2f} "
        f"| ≥ {targets['cached_over_static']}: {_mark(met['cached_over_static'])} |",
        f"| through a 1 s micro-cache / static file | {ratios['micro_cached_over_static']:.2f} "
        "| (for comparison) |",
        "",
    ]
    rss = result["web_peak_rss_mb"]
    after = rss["after_load_and_screens"]
    master = rss["master_pid"]
    workers = {pid: mb for pid, mb in after.items() if pid != master}
    bad = {
        name: status for name, status in result["screens_through_gunicorn"].items() if status != 200
    }
    lines += [
        f"Web worker peak RSS after the load and every screen through gunicorn: "
        f"{', '.join(f'{mb:g} MB' for mb in workers.values())} (just after start: "
        f"{', '.join(f'{mb:g} MB' for pid, mb in rss['after_start'].items() if pid != master)}"
        f"; master {after.get(master, 0):g} MB)."
        + (f" Screens that did not answer 200 through gunicorn: {bad}." if bad else ""),
        "",
    ]
    return lines


def _bake_table(result: dict) -> list[str]:
    lines = [
        "### Baking",
        "",
        f"The same {result['image_type'].upper()} ({result['image_bytes'] / 1024:.0f} KB) and "
        f"the same assertion JSON ({result['json_bytes']} bytes), each path in turn, "
        f"{result['paths']['raw bakery']['bakes']} times.",
        "",
        "| path | median ms | CPU ms | bakes/s |",
        "|---|---|---|---|",
    ]
    for name, figures in result["paths"].items():
        lines.append(
            f"| {name} | {figures['median_ms']:.2f} | {figures['cpu_median_ms']:.2f} "
            f"| {figures['bakes_per_second']:,.0f} |"
        )
    ratios = result["ratios"]
    lines += [
        "",
        f"Leap's chunk task (a bulk award's bake; {result.get('chunk_size', '?')} a chunk) / "
        f"raw bakery: {ratios.get('chunk_task_over_raw', 0):.2f} (target ≥ {result['target']}: "
        f"{_mark(result['met'])}); one award's task / raw: {ratios['task_over_raw']:.2f}; "
        f"Leap's service / raw: {ratios['service_over_raw']:.2f}; "
        f"raw, stored / raw: {ratios['stored_over_raw']:.2f}.",
        "",
    ]
    return lines


def _bulk_table(result: dict) -> list[str]:
    until = result["seconds_until"]

    def at(what: str) -> str:
        return f"{until[what]} s" if what in until else "not reached"

    rate = result["badges_per_second"]
    partial = result.get("badges_per_second_before_timeout")
    projected = f"{10_000 / (rate or partial):.0f} s" if rate or partial else "n/a"
    worker = result["worker_peak_rss_mb"]
    return [
        "### Bulk award through a Celery worker",
        "",
        f"{result['badges']:,} badges in {result['files']} CSV file(s) of at most "
        f"{result['rows_per_file']:,} rows, one worker with concurrency "
        f"{result['worker_concurrency']}. Checking the files and queueing the jobs took "
        f"{result['checked_and_queued_seconds']:.1f} s.",
        "",
        "| all assertions made | all images baked | all e-mails queued | badges/s "
        "| 10,000 would take | target |",
        "|---|---|---|---|---|---|",
        f"| {at('assertions')} | {at('baked')} | {at('emails_queued')} "
        f"| {rate or (f'{partial} (timed out)' if partial is not None else 'n/a')} "
        f"| {projected} | ≤ 30 s: {_mark(result['met'])} |",
        "",
        f"Worker peak RSS: {', '.join(f'{mb:g} MB' for mb in worker.values())} "
        "(the main process first, then its children).",
        "",
    ]


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"# Benchmark {results['date'][:10]}",
        "",
        f'`make bench BENCH_ARGS="{results["arguments"]}"`, started {results["date"]}, '
        f"took {results.get('seconds', 0):.0f} s.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average at start "
        f"{', '.join(str(v) for v in m['load_average_at_start'])}. Python {m['python']}, "
        f"Django {m['django']}, Wagtail {m['wagtail']}, {m['database']}, "
        f"Redis {m['redis'] or 'not used'}. Commit {m['git_commit'][:12]}"
        + (" with uncommitted changes" if m["git_uncommitted_changes"] else "")
        + ".",
        "",
    ]
    for name, seconds in results.get("setup_seconds", {}).items():
        lines.append(f"- {name}: {seconds:.1f} s")
    if results.get("setup_seconds"):
        lines.append("")
    for size, stage in results.get("screens", {}).items():
        lines += _screens_table(size, stage)
    if "throughput" in results:
        lines += _throughput_table(results["throughput"])
    if "bake" in results:
        lines += _bake_table(results["bake"])
    if "bulk" in results:
        lines += _bulk_table(results["bulk"])
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"
