"""Two co-leads changing one pool's members at the same moment (real row locks: PostgreSQL,
two threads). The lead tools lock the pool row, then the member's, so the two take turns;
neither can pause or remove the other, and the pool keeps both its leads."""

import threading

import pytest
from django.db import connection

from accounts.errors import LeapError
from credentials.models import PoolMember, ReviewerPool
from credentials.services.review import (
    pool_member_add,
    pool_member_remove,
    pool_member_set_active,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_once(*changes):
    """Run the changes in threads released together; what each raised, in order."""
    barrier = threading.Barrier(len(changes))
    raised: list[Exception | None] = [None] * len(changes)

    def run(i, change):
        try:
            barrier.wait()
            change()
        except Exception as error:  # reported to the test
            raised[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(changes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return raised


def test_co_leads_acting_on_each_other_at_once_keep_both_leads():
    pool = ReviewerPool.objects.create(name="All")
    lena = pool_member_add(pool=pool, user=UserFactory(), is_lead=True)
    ines = pool_member_add(pool=pool, user=UserFactory(), is_lead=True)
    raised = at_once(
        lambda: pool_member_set_active(member=ines, active=False),
        lambda: pool_member_remove(member=lena),
    )
    assert all(isinstance(error, LeapError) for error in raised), raised
    assert set(pool.members.filter(is_lead=True, is_active=True)) == {lena, ines}


def test_two_leads_pausing_and_removing_one_reviewer_at_once():
    pool = ReviewerPool.objects.create(name="All")
    pool_member_add(pool=pool, user=UserFactory(), is_lead=True)
    pool_member_add(pool=pool, user=UserFactory(), is_lead=True)
    rui = pool_member_add(pool=pool, user=UserFactory())
    raised = at_once(
        lambda: pool_member_set_active(member=rui, active=False),
        lambda: pool_member_remove(member=rui),
    )
    # Whichever went second saw the first's change: removed either way, and a pause that
    # came second is told he is gone (not an error page).
    assert not PoolMember.objects.filter(pk=rui.pk).exists()
    assert raised[1] is None
    assert raised[0] is None or "is no longer in All" in raised[0].message
