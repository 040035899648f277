"""Wrong configuration stops Leap with one sentence naming the setting, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x9Qz!7Lp#2Vw@5Rt$8Nb%4Mc^6Hd&1Jf*3Gs(0Ka)_Ye+Ui=Oo" * 2

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "leap.district.example",
    "SITE_URL": "https://leap.district.example",
    "EMAIL_HOST": "smtp.district.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "LEAP_KEY_ENCRYPTION_KEYS": "Xw4xfhVQ8oB8r7YOHmPdY3kQ1nI2n1b0Pp6tFqRk3qY=",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what a shell needs: the settings under test come from `env` alone.
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_clear_line(done: subprocess.CompletedProcess, setting: str) -> None:
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Leap cannot start: ")
    assert setting in lines[0]
    assert "Traceback" not in done.stderr


def test_production_without_a_secret_key_names_it():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    assert_one_clear_line(manage("check", **env), "SECRET_KEY")


def test_production_with_a_weak_secret_key_names_it():
    assert_one_clear_line(manage("check", **{**PRODUCTION, "SECRET_KEY": "short"}), "SECRET_KEY")


def test_production_without_allowed_hosts_names_it():
    env = {key: value for key, value in PRODUCTION.items() if key != "ALLOWED_HOSTS"}
    assert_one_clear_line(manage("check", **env), "ALLOWED_HOSTS")


def test_an_unreachable_database_names_database_url():
    done = manage("migrate", DATABASE_URL="postgres://postgres:s3cret@127.0.0.1:1/leap")
    assert_one_clear_line(done, "DATABASE_URL")
    assert "127.0.0.1:1" in done.stderr
    assert "s3cret" not in done.stderr  # the password never reaches the terminal


def test_a_malformed_database_url_names_it():
    assert_one_clear_line(manage("check", DATABASE_URL="not-a-url"), "DATABASE_URL")


def test_an_unsupported_database_names_database_url():
    done = manage("check", DATABASE_URL="mysql://root:pw@127.0.0.1/leap")
    assert_one_clear_line(done, "DATABASE_URL")
    assert "postgres://" in done.stderr


def test_a_malformed_redis_url_names_it():
    assert_one_clear_line(manage("check", REDIS_URL="localhost:6379"), "REDIS_URL")


def test_production_needs_redis_and_a_key_encryption_key():
    for setting in ("REDIS_URL", "LEAP_KEY_ENCRYPTION_KEYS"):
        env = {key: value for key, value in PRODUCTION.items() if key != setting}
        assert_one_clear_line(manage("check", **env), setting)
    bad_key = {**PRODUCTION, "LEAP_KEY_ENCRYPTION_KEYS": "not-a-key"}
    assert_one_clear_line(manage("check", **bad_key), "LEAP_KEY_ENCRYPTION_KEYS")


def test_a_wrong_boolean_names_the_setting():
    done = manage("check", **{**PRODUCTION, "SECURE_SSL_REDIRECT": "maybe"})
    assert_one_clear_line(done, "SECURE_SSL_REDIRECT")


def test_production_settings_pass_the_deployment_checklist():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
