from types import SimpleNamespace

import pytest

from cms.demo import site_tree_ensure
from tests.factories import (
    BookIndexPageFactory,
    FrameworkIndexPageFactory,
    MicroCredentialIndexPageFactory,
    PathwayIndexPageFactory,
)


@pytest.fixture
def home(db):
    return site_tree_ensure()


@pytest.fixture
def sections(home):
    """The catalogue's index pages and the framework explorer under the home page."""
    return SimpleNamespace(
        pathways=PathwayIndexPageFactory(parent=home),
        micro_credentials=MicroCredentialIndexPageFactory(parent=home),
        books=BookIndexPageFactory(parent=home),
        frameworks=FrameworkIndexPageFactory(parent=home),
    )
