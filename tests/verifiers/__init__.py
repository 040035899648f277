"""Verifiers from elsewhere that Leap's tests run against Leap's badges."""

import os
import shutil
from pathlib import Path

DCC_DIR = Path(__file__).resolve().parent / "dcc"


def dcc_available() -> bool:
    return bool(shutil.which("node")) and (DCC_DIR / "node_modules").is_dir()


def dcc_required() -> bool:
    return bool(os.environ.get("LEAP_REQUIRE_DCC"))
