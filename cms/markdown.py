"""Markdown written on the site (badge criteria, later discussion posts) as safe HTML.

CommonMark with raw HTML turned off, then sanitised with a short allow-list: whatever the
text holds, the page gets paragraphs, emphasis, lists, quotes, code and plain links (an
image shows as its alt text)."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def _image_as_text(renderer, tokens, idx, options, env) -> str:
    # No images from elsewhere on our pages (tracking, mixed content): their alt text only.
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


_parser = MarkdownIt("commonmark", {"html": False})
_parser.add_render_rule("image", _image_as_text)


def markdown_html(text: str) -> SafeString:
    """`text` (Markdown) as HTML that is safe to put on a page. Raw HTML in the text shows
    as text; links keep only http, https and mailto addresses and never pass on referrer
    or ranking."""
    if not text:
        return mark_safe("")  # noqa: S308 (nothing to escape)
    html = nh3.clean(
        _parser.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
    return mark_safe(html)  # noqa: S308 (sanitised just above)
