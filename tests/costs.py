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


@contextmanager
def redis_commands(monkeypatch):
    """The names of the Redis commands Leap's cache client sends in the block."""
    from cms.cache import FailFastRedis

    sent = []
    real = FailFastRedis.execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(FailFastRedis, "execute_command", counted)
    try:
        yield sent
    finally:
        monkeypatch.setattr(FailFastRedis, "execute_command", real)
