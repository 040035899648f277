"""Two awards of the same badge to the same learner at the same moment make one assertion."""

import threading

import pytest
from django.db import connection

from credentials.models import Assertion
from credentials.services.badges import assertion_award, badge_class_for_micro_credential

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_awards_create_one_assertion(micro_credential, learner):
    badge_class = badge_class_for_micro_credential(page=micro_credential)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def award():
        try:
            barrier.wait()
            results.append(assertion_award(recipient=learner, badge_class=badge_class).pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=award) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(set(results)) == 1
    assert Assertion.objects.filter(recipient=learner).count() == 1
