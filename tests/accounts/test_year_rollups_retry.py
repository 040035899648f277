"""A roll-up's `sync` that PostgreSQL ended to break a deadlock runs again; any other error,
or a deadlock inside an outer transaction (whose work is lost with it), is raised."""

import pytest
from django.db import OperationalError, transaction

from accounts.year_rollups import DEADLOCK, retried_on_deadlock


class Cause(Exception):
    def __init__(self, sqlstate: str):
        self.sqlstate = sqlstate


def failing(times: int, sqlstate: str = DEADLOCK):
    calls = []

    def sync(*, using: str, rebuild: bool = False) -> bool:
        calls.append(rebuild)
        if len(calls) <= times:
            raise OperationalError("deadlock detected") from Cause(sqlstate)
        return True

    return sync, calls


def test_a_deadlocked_sync_runs_again():
    sync, calls = failing(2)
    assert retried_on_deadlock(sync, using="default", rebuild=True) is True
    assert calls == [True, True, True]


def test_it_gives_up_after_three_and_raises_other_errors_at_once():
    sync, calls = failing(3)
    with pytest.raises(OperationalError):
        retried_on_deadlock(sync, using="default")
    assert len(calls) == 3
    sync, calls = failing(1, sqlstate="53200")  # out of memory: not a deadlock
    with pytest.raises(OperationalError):
        retried_on_deadlock(sync, using="default")
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_an_outer_transaction_it_is_not_retried():
    sync, calls = failing(1)
    with transaction.atomic(), pytest.raises(OperationalError):
        retried_on_deadlock(sync, using="default")
    assert len(calls) == 1
