"""The throughput stage: gunicorn with the bench (production) settings and several sync
workers on loopback, nginx in front of it, and wrk as the load generator, all in the same
run, so the figures are ratios that hold on a noisy machine:

- the public assertion JSON from gunicorn, beside a minimal Django view that answers a
  constant JSON body through the same middleware (benchmarks/bench_urls.py);
- the same assertion JSON through nginx's proxy cache, obeying the Cache-Control Leap
  sends (what a CDN would do), beside a static file of the same bytes served by nginx
  itself; and, for comparison, through a one-second micro-cache that ignores Leap's
  headers (what a cache could do if Leap let it);
- then every screen asked through gunicorn (signed in where the screen is), and each web
  worker's peak resident memory after them.

wrk and nginx come from Debian: `apt-get install -y wrk nginx-light` (`make bench` installs
them when it runs as root)."""

import re
import shutil
import statistics
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.processes import BIN, Process, answers, free_port, log, wait_for

JSON_LD = "application/ld+json"

NGINX_CONF = """
worker_processes auto;
error_log {work}/nginx-error.log warn;
pid {work}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    types {{ application/ld+json json; }}
    default_type application/octet-stream;
    client_body_temp_path {work}/nginx-tmp/body;
    proxy_temp_path {work}/nginx-tmp/proxy;
    fastcgi_temp_path {work}/nginx-tmp/fastcgi;
    uwsgi_temp_path {work}/nginx-tmp/uwsgi;
    scgi_temp_path {work}/nginx-tmp/scgi;
    proxy_cache_path {work}/nginx-cache keys_zone=leap:10m max_size=200m inactive=10m
                     use_temp_path=off;
    upstream leap {{
        server 127.0.0.1:{web_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        # A static file of the same bytes as the assertion JSON, from disk.
        location = /static-copy/assertion.json {{
            alias {work}/static-copy/assertion.json;
        }}
        # Leap behind a cache that does as Leap's headers say.
        location /public/ {{
            proxy_pass http://leap;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1;
            proxy_cache leap;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
        # The same, through a one-second micro-cache that ignores Leap's Cache-Control.
        location /micro/ {{
            rewrite ^/micro(/.*)$ $1 break;
            proxy_pass http://leap;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1;
            proxy_cache leap;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 1s;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


REDIS_MINIMAL = "minimal view with one Redis round trip"


def tools_missing() -> list[str]:
    return [tool for tool in ("wrk", "nginx") if not _which(tool)]


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/local/sbin")


def wrk(url: str, *, seconds: int, connections: int, threads: int, accept: str = "") -> dict:
    command = [_which("wrk"), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--latency", "--timeout", "5s"]
    if accept:
        command += ["-H", f"Accept: {accept}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latency = {
        found[0]: _ms(found[1], found[2])
        for found in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    return {
        "requests_per_second": float(rps[1]) if rps else 0.0,
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "latency_ms": {f"p{key}": value for key, value in latency.items()},
    }


def _ms(value: str, unit: str) -> float:
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def _fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def _cache_statuses(url: str) -> list[str]:
    return [_fetch(url, {"Accept": JSON_LD})[1].get("X-Cache-Status", "?") for _ in range(3)]


def run(
    *,
    work: Path,
    assertion_uuid: str,
    visits: list[tuple[str, str, dict, bytes | None]],
    web_workers: int = 2,
    seconds: int = 8,
    warmup_seconds: int = 2,
    rounds: int = 2,
    connections: int = 16,
    threads: int = 2,
) -> dict:
    """`visits`: (name, path, headers, JSON body or None) of every screen, asked through
    gunicorn after the load, before the web workers' peak memory is read."""
    missing = tools_missing()
    if missing:
        raise SystemExit(
            f"The throughput stage needs {' and '.join(missing)}: "
            "sudo apt-get install -y wrk nginx-light"
        )
    web_port, port = free_port(), free_port()
    # nginx started as root serves files as an unprivileged user: it must be able to read
    # the static copy and write its cache and temporary files.
    work.chmod(0o755)
    for folder in ("nginx-tmp", "nginx-cache", "static-copy"):
        (work / folder).mkdir(exist_ok=True)
        (work / folder).chmod(0o777 if folder != "static-copy" else 0o755)
    gunicorn = Process(
        "gunicorn",
        [
            str(BIN / "gunicorn"),
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            str(web_workers),
            "--access-logfile",
            str(work / "gunicorn-access.log"),
            "--logger-class",
            "cms.gunicorn_logging.RedactingLogger",
        ],
        work=work,
    )
    nginx = None
    try:
        web = f"http://127.0.0.1:{web_port}"
        wait_for(lambda: answers(web + "/health/"), "gunicorn", log_file=gunicorn.log_file)
        started_rss = gunicorn.peak_rss_mb()
        assertion_path = f"/public/assertions/{assertion_uuid}"
        status, headers, body = _fetch(web + assertion_path, {"Accept": JSON_LD})
        (work / "static-copy" / "assertion.json").write_bytes(body)
        (work / "static-copy" / "assertion.json").chmod(0o644)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(work=work, web_port=web_port, port=port))
        nginx = Process(
            "nginx",
            [
                _which("nginx"),
                "-c",
                str(conf),
                "-p",
                str(work),
                "-e",
                str(work / "nginx-error.log"),
                "-g",
                "daemon off;",
            ],
            work=work,
        )
        proxy = f"http://127.0.0.1:{port}"
        wait_for(
            lambda: answers(proxy + "/static-copy/assertion.json"), "nginx", log_file=nginx.log_file
        )
        endpoints = {
            "minimal Django view": (web + "/bench/constant.json", ""),
            REDIS_MINIMAL: (web + "/bench/shared-cache.json", ""),
            "assertion JSON": (web + assertion_path, JSON_LD),
            "assertion JSON through the cache": (proxy + assertion_path, JSON_LD),
            "assertion JSON through a 1 s micro-cache": (
                proxy + "/micro" + assertion_path,
                JSON_LD,
            ),
            "static file from nginx": (proxy + "/static-copy/assertion.json", ""),
        }
        runs: dict[str, list[dict]] = {name: [] for name in endpoints}
        for round_number in range(1, rounds + 1):
            for name, (url, accept) in endpoints.items():
                load = {"connections": connections, "threads": threads, "accept": accept}
                if warmup_seconds:
                    wrk(url, seconds=warmup_seconds, **load)
                result = wrk(url, seconds=seconds, **load)
                runs[name].append(result)
                log(
                    f"round {round_number}, {name}: {result['requests_per_second']:.0f} req/s"
                    + (f" ({result['non_2xx']} not 2xx)" if result["non_2xx"] else "")
                )
        rps = {
            name: statistics.median(r["requests_per_second"] for r in results)
            for name, results in runs.items()
        }
        per_round = [
            {
                "assertion_over_minimal": _ratio(
                    runs["assertion JSON"][n], runs["minimal Django view"][n]
                ),
                "assertion_over_redis_minimal": _ratio(
                    runs["assertion JSON"][n], runs[REDIS_MINIMAL][n]
                ),
                "cached_over_static": _ratio(
                    runs["assertion JSON through the cache"][n], runs["static file from nginx"][n]
                ),
            }
            for n in range(rounds)
        ]
        cache_statuses = {
            "through the cache": _cache_statuses(proxy + assertion_path),
            "through a 1 s micro-cache": _cache_statuses(proxy + "/micro" + assertion_path),
        }
        from cms import health

        health.worker_heartbeat_record()  # /health/ as with a worker running
        visited = _visit(web, visits, times=web_workers * 3)
        result = {
            "settings": {
                "web_workers": web_workers,
                "worker_class": "sync",
                "seconds": seconds,
                "warmup_seconds": warmup_seconds,
                "rounds": rounds,
                "connections": connections,
                "wrk_threads": threads,
                "nginx": "proxy_cache; access log off",
            },
            "assertion_cache_control": headers.get("Cache-Control", ""),
            "assertion_etag": headers.get("ETag", ""),
            "cache_statuses": cache_statuses,
            "requests_per_second": {name: round(value, 1) for name, value in rps.items()},
            "runs": runs,
            "ratios": {
                "assertion_over_minimal": round(
                    rps["assertion JSON"] / rps["minimal Django view"], 3
                ),
                "assertion_over_redis_minimal": round(
                    rps["assertion JSON"] / rps[REDIS_MINIMAL], 3
                ),
                "redis_minimal_over_minimal": round(
                    rps[REDIS_MINIMAL] / rps["minimal Django view"], 3
                ),
                "cached_over_static": round(
                    rps["assertion JSON through the cache"] / rps["static file from nginx"], 3
                ),
                "micro_cached_over_static": round(
                    rps["assertion JSON through a 1 s micro-cache"] / rps["static file from nginx"],
                    3,
                ),
                "per_round": per_round,
            },
            # The two, and the closest honest one for the first (docs/performance.md).
            "targets": {
                "assertion_over_minimal": 0.8,
                "assertion_over_redis_minimal": 0.8,
                "cached_over_static": 0.3,
            },
            "screens_through_gunicorn": visited,
            "web_peak_rss_mb": {
                "after_start": started_rss,
                "after_load_and_screens": gunicorn.peak_rss_mb(),
                "master_pid": str(gunicorn.pid),
            },
        }
        result["met"] = {
            key: result["ratios"][key] >= target for key, target in result["targets"].items()
        }
        return result
    finally:
        if nginx is not None:
            nginx.stop()
        gunicorn.stop()


def _ratio(a: dict, b: dict) -> float:
    return (
        round(a["requests_per_second"] / b["requests_per_second"], 3)
        if b["requests_per_second"]
        else 0.0
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to report, not to follow


def _visit(web: str, visits, *, times: int) -> dict[str, int]:
    """Ask each screen `times` times (enough for every worker to see it); its status."""
    opener = urllib.request.build_opener(_NoRedirects)
    statuses = {}
    for name, path, headers, body in visits:
        request = urllib.request.Request(
            web + path, data=body, headers=headers, method="POST" if body is not None else "GET"
        )
        status = 0
        for _ in range(times):
            try:
                with opener.open(request, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
        statuses[name] = status
    return statuses
