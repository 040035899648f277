from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


def index_seeded_frameworks(sender, using="default", **kwargs) -> None:
    """Rows seeded by a data migration bypass the search index's signals; index them so
    editors can search the framework snippets on a fresh install."""
    # Imported when called: apps.py is read before the app registry (and models) is ready.
    from wagtail.search.backends import get_search_backend

    from cms.models import Framework, FrameworkCategory, FrameworkElement

    backend = get_search_backend()
    for model in (Framework, FrameworkCategory, FrameworkElement):
        backend.add_bulk(model, list(model.objects.using(using).all()))


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site and content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the image model is known only once the app registry is ready.
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site, get_page_models
        from wagtail.signals import page_unpublished, post_page_move

        from cms.models import (
            BookAlignment,
            Crosswalk,
            Framework,
            FrameworkCategory,
            FrameworkElement,
            MicroCredentialAlignment,
            PathwayAlignment,
        )
        from cms.services import site_links_forget
        from cms.svg import image_upload_sanitise

        post_migrate.connect(index_seeded_frameworks, sender=self)
        pre_save.connect(image_upload_sanitise, sender=get_image_model())
        # The layout's cached menu and links, and the fragments kept under the content's
        # version (`public_fragments`: the explorer's frameworks and what is aligned to them,
        # the home page's featured pages, body and badge art), forgotten when what they show may
        # change. (Publishing saves the page or the framework's part; a move saves the page
        # and rewrites its descendants' paths.)
        for model in (
            *get_page_models(),
            get_image_model(),
            get_document_model(),
            PageViewRestriction,
            Site,
            Framework,
            FrameworkCategory,
            FrameworkElement,
            Crosswalk,
            PathwayAlignment,
            MicroCredentialAlignment,
            BookAlignment,
        ):
            post_save.connect(site_links_forget, sender=model)
            post_delete.connect(site_links_forget, sender=model)
        page_unpublished.connect(site_links_forget)
        post_page_move.connect(site_links_forget)
