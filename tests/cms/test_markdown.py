"""Markdown written on the site renders as a few safe tags, whatever the text holds."""

from django.template import Context, Template

from cms.markdown import markdown_html


def test_emphasis_and_lists_render_as_html():
    html = markdown_html("**Competency.** Plans well.\n\n- one\n- two\n\n1. first\n2. second")
    assert "<strong>Competency.</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert "**" not in html


def test_raw_html_is_shown_as_text_never_run():
    html = markdown_html('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_links():
    for text in ("[click](javascript:alert(1))", "[click](JavaScript:alert(1))"):
        html = markdown_html(text)
        assert "<a" not in html
        assert 'href="javascript' not in html.lower()


def test_links_do_not_pass_on_referrer_or_ranking():
    html = markdown_html("[Leap](https://leap.example/)")
    assert html == (
        '<p><a href="https://leap.example/" rel="noopener noreferrer nofollow">Leap</a></p>\n'
    )


def test_images_show_their_alt_text_only():
    html = markdown_html("![A chart](https://tracker.example/pixel.png)")
    assert "<img" not in html and "tracker.example" not in html
    assert "A chart" in html


def test_the_filter_renders_markdown_and_empty_values():
    template = Template("{% load markdown_tags %}{{ text|markdown }}|{{ missing|markdown }}")
    assert template.render(Context({"text": "*so*"})) == "<p><em>so</em></p>\n|"
