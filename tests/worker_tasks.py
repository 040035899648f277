"""A task for the killed-worker test: it notes each start, waits until the test lets it go
(a file appears), then notes that it ran. Each note is a line in a file of the folder it is
given, so the test counts runs across processes."""

import os
import time
from pathlib import Path

from accounts.outbox import outbox_task


@outbox_task(time_limit=10)
def work_until_released(folder: str) -> int:
    signals = Path(folder)
    with (signals / "started").open("a") as started:
        started.write(f"{os.getpid()}\n")
    while not (signals / "release").exists():
        time.sleep(0.1)
    with (signals / "ran").open("a") as ran:
        ran.write(f"{os.getpid()}\n")
    return 1
