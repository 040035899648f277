from django import template

from cms.markdown import markdown_html

register = template.Library()


@register.filter
def markdown(text) -> str:
    """`{{ text|markdown }}`: Markdown as sanitised HTML (see cms.markdown)."""
    return markdown_html(str(text) if text is not None else "")
