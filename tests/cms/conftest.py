import pytest

from cms.demo import site_tree_ensure


@pytest.fixture
def home(db):
    return site_tree_ensure()
