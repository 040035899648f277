"""StreamField blocks shared by Leap's page types."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section heading"), ("h3", "Sub-heading")],
        default="h2",
        help_text="Headings build the page outline that screen-reader users navigate by.",
    )

    class Meta:
        icon = "title"
        template = "components/blocks/heading_block.html"
        preview_value = {"text": "Why digital leadership matters", "level": "h2"}
        description = "A heading that starts a new section of the page."


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=150)

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote_block.html"
        preview_value = {
            "text": "Professional learning works when educators steer it.",
            "attribution": "A district technology leader",
        }
        description = "A quotation with an optional attribution."


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")
    label = blocks.CharBlock(max_length=60, help_text="The words on the button, e.g. “Start”.")

    class Meta:
        icon = "link"
        template = "components/blocks/call_to_action_block.html"
        preview_value = {
            "title": "Start your self-assessment",
            "text": "See where you stand and get a plan made for you.",
            "url": "https://example.org/",
            "label": "Start",
        }
        description = "A short invitation with one button that leads somewhere."

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ValidationError("Choose a page or enter a URL for the button.")
                }
            )
        return value


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        icon="pilcrow",
        template="components/blocks/paragraph_block.html",
        preview_value="<p>Leap helps educators grow with technology.</p>",
        description="Text with links and lists.",
    )
    image = ImageBlock(
        template="components/blocks/image_block.html",
        description="An image with alternative text for people who cannot see it.",
    )
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
