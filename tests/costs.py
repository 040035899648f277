"""Helpers for tests of what a screen costs beyond its queries."""

from contextlib import contextmanager

from django.db.models.signals import post_init


@contextmanager
def pages_built(*models):
    """The instances of `models` (by default the catalogue's pages: pathways,
    micro-credentials, books) made in the block, as a list of their classes."""
    if not models:
        from cms.models import BookPage, MicroCredentialPage, PathwayPage

        models = (PathwayPage, MicroCredentialPage, BookPage)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    for model in models:
        post_init.connect(count, sender=model)
    try:
        yield built
    finally:
        for model in models:
            post_init.disconnect(count, sender=model)
