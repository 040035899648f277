#!/usr/bin/env python
"""Leap's command-line entry point."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    from cms.settings.env import run_with_clear_configuration_errors

    run_with_clear_configuration_errors(sys.argv)


if __name__ == "__main__":
    main()
