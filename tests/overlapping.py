"""Two writes whose transactions overlap: the first written and still open while the second
runs, then both committed. For the races a trigger or a lock must close (PostgreSQL)."""

import threading

from django.db import connection, transaction


def overlapping(first, second) -> list[Exception]:
    """Run `first` in a transaction held open until `second` (in another) has run or has
    waited half a second for it, then commit both; the errors either raised."""
    wrote, commit = threading.Event(), threading.Event()
    errors = []

    def in_transaction(work, hold: bool):
        try:
            with transaction.atomic():
                work()
                if hold:  # written, not committed: the other starts now
                    wrote.set()
                    assert commit.wait(timeout=10)
        except Exception as error:  # returned to the test
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=in_transaction, args=(first, True))
    holder.start()
    assert wrote.wait(timeout=10)
    other = threading.Thread(target=in_transaction, args=(second, False))
    other.start()
    other.join(timeout=0.5)  # it waits for the first (or, unguarded, finishes wrongly)
    commit.set()
    holder.join(timeout=10)
    other.join(timeout=10)
    return errors
