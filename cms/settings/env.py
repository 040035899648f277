"""Reading Leap's configuration from the environment.

Settings modules call these helpers so that a wrong or missing value stops the process
with one sentence that names the setting, instead of a traceback from deep inside Django.
"""

import base64
import binascii
import importlib
import ipaddress
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

SUPPORTED_DATABASE_ENGINES = {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(Exception):
    """A setting from the environment is missing or wrong; the message says which."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise ConfigurationError(f"{name} must be set in the environment.")
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}.")
    if maximum is not None and number > maximum:
        raise ConfigurationError(f"{name} must be at most {maximum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str | None = None, *, schemes: tuple[str, ...]) -> str | None:
    value = env_str(name, default)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        allowed = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ConfigurationError(f"{name} must be a URL starting with {allowed}, not {value!r}.")
    return value.rstrip("/") if parts.scheme in ("http", "https") else value


def env_client_credentials(id_name: str, secret_name: str) -> tuple[str, str] | None:
    """An OAuth client's id and secret, both set or both unset (then None)."""
    client_id, secret = env_str(id_name), env_str(secret_name)
    if client_id is None and secret is None:
        return None
    if client_id is None or secret is None:
        present, missing = (id_name, secret_name) if secret is None else (secret_name, id_name)
        raise ConfigurationError(f"{present} is set but {missing} is not: set both or neither.")
    return client_id, secret


def env_fernet_keys(name: str) -> list[str]:
    """Fernet keys (32 bytes, URL-safe base64 each), comma-separated; [] when unset."""
    keys = env_list(name, [])
    for number, value in enumerate(keys, start=1):
        try:
            if len(base64.urlsafe_b64decode(value.encode())) == 32:
                continue
        except (binascii.Error, ValueError):
            pass
        raise ConfigurationError(
            f"{name} (key {number}) must be 32 random bytes in URL-safe base64; generate one "
            "with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'."
        )
    return keys


def env_networks(name: str) -> list[str]:
    """IP addresses or networks ("10.0.0.0/8, 192.0.2.7"), comma-separated; [] when unset."""
    networks = env_list(name, [])
    for value in networks:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigurationError(
                f"{name} must list IP addresses or networks such as 10.0.0.0/8, not {value!r}."
            ) from None
    return networks


def database_from_env(default_sqlite_path) -> dict:
    url = env_str("DATABASE_URL", f"sqlite:///{default_sqlite_path}")
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    except Exception as error:  # dj-database-url raises several types for bad URLs
        raise ConfigurationError(
            f"DATABASE_URL is not a database URL Leap understands ({redact_url(url)}): {error}."
        ) from None
    if config.get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
        raise ConfigurationError(
            f"DATABASE_URL must be a postgres:// or sqlite:// URL, not {redact_url(url)}."
        )
    config["CONN_HEALTH_CHECKS"] = True
    return config


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print in an error message."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _fail(message: str) -> None:
    sys.stderr.write(f"Leap cannot start: {message}\n")
    raise SystemExit(1)


def load_settings_or_exit() -> None:
    """Import the settings module now, turning a ConfigurationError into one clear line."""
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ConfigurationError as error:
        _fail(str(error))


def database_unreachable_reason() -> str | None:
    """Why the default database cannot be reached, or None when it can."""
    # Imported when called: this module is read while settings load, before Django is set up.
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        url = os.environ.get("DATABASE_URL", "the default SQLite file")
        return f"the database in DATABASE_URL ({redact_url(url)}) cannot be reached: {detail}."
    return None


def run_with_clear_configuration_errors(argv: list[str]) -> None:
    """Run a management command; configuration mistakes end in one sentence, not a traceback."""
    # Imported when called: this module is read while settings load, before Django is set up.
    from django.db import OperationalError

    load_settings_or_exit()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except OperationalError:
        reason = database_unreachable_reason()
        if reason is None:
            raise
        _fail(reason)
