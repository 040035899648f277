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


# Pathway steps. Every step has a title, an estimate and whether it is required; the block's
# own id (kept by StreamField across edits) is what learners' progress refers to.


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    estimated_minutes = blocks.IntegerBlock(min_value=1, max_value=60 * 40, default=30)
    required = blocks.BooleanBlock(
        required=False, default=True, help_text="Untick for optional enrichment."
    )

    kind_label = "Step"

    class Meta:
        icon = "list-ol"
        template = "components/steps/step.html"


class ReadStepBlock(StepBlock):
    instructions = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])
    url = blocks.URLBlock(required=False, help_text="An article or document to read.")
    book = blocks.PageChooserBlock(
        page_type="cms.BookPage", required=False, help_text="Or a book from the catalogue."
    )

    kind_label = "Read"

    class Meta:
        icon = "doc-full"
        preview_value = {
            "title": "Read the district's responsible use policy",
            "estimated_minutes": 20,
            "required": True,
            "instructions": "<p>Note two clauses that affect your classroom.</p>",
        }
        description = "Something to read: a link or a book from the catalogue."


class WatchStepBlock(StepBlock):
    url = blocks.URLBlock(help_text="Where the video is hosted.")
    instructions = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], required=False
    )
    transcript_url = blocks.URLBlock(required=False, help_text="A transcript or captions file.")

    kind_label = "Watch"

    class Meta:
        icon = "media"
        preview_value = {
            "title": "Watch a 1:1 launch debrief",
            "estimated_minutes": 15,
            "required": True,
            "url": "https://example.org/video",
        }
        description = "A video to watch, with a transcript link for accessibility."


class DoStepBlock(StepBlock):
    instructions = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])

    kind_label = "Do"

    class Meta:
        icon = "tick-inverse"
        preview_value = {
            "title": "Map your device refresh cycle",
            "estimated_minutes": 60,
            "required": True,
            "instructions": "<p>List each device fleet with its purchase year.</p>",
        }
        description = "An activity to carry out in your own setting."


class ReflectStepBlock(StepBlock):
    prompt = blocks.TextBlock(help_text="Learners answer privately.")

    kind_label = "Reflect"

    class Meta:
        icon = "edit"
        preview_value = {
            "title": "What surprised you?",
            "estimated_minutes": 15,
            "required": True,
            "prompt": "What surprised you about how students use their devices?",
        }
        description = "A prompt learners answer privately."


class DiscussStepBlock(StepBlock):
    prompt = blocks.TextBlock()

    kind_label = "Discuss"

    class Meta:
        icon = "group"
        preview_value = {
            "title": "Compare notes",
            "estimated_minutes": 30,
            "required": False,
            "prompt": "Share one policy change you would make and why.",
        }
        description = "A question to discuss with colleagues."


class MicroCredentialStepBlock(StepBlock):
    micro_credential = blocks.PageChooserBlock(page_type="cms.MicroCredentialPage")

    kind_label = "Earn"

    class Meta:
        icon = "pick"
        preview_value = {"title": "Earn the micro-credential", "estimated_minutes": 240}
        description = "Earn a micro-credential; the step is done when the badge is earned."


class PathwayStepsBlock(blocks.StreamBlock):
    read = ReadStepBlock()
    watch = WatchStepBlock()
    do = DoStepBlock(label="Do (activity)")
    reflect = ReflectStepBlock()
    discuss = DiscussStepBlock()
    micro_credential = MicroCredentialStepBlock(label="Micro-credential")


# Micro-credential submission requirements and rubric.

ARTIFACT_FILE_TYPES = [
    ("pdf", "PDF"),
    ("document", "Word-processor document (DOCX, ODT)"),
    ("presentation", "Slides (PPTX, ODP)"),
    ("spreadsheet", "Spreadsheet (XLSX, ODS, CSV)"),
    ("image", "Image (JPEG, PNG)"),
    ("video", "Video (MP4)"),
    ("audio", "Audio (MP3, M4A)"),
]


def file_type_labels(kinds) -> list[str]:
    """The labels of the file kinds chosen, in ARTIFACT_FILE_TYPES's order, each once; a
    kind no longer in the list (a submission's pinned copy may name one) is shown by its
    code, after the others. The one place that words and orders them, for the page and the
    submission form alike."""
    chosen = list(dict.fromkeys(kinds or ()))
    known = [label for kind, label in ARTIFACT_FILE_TYPES if kind in chosen]
    codes = {kind for kind, _label in ARTIFACT_FILE_TYPES}
    return known + [kind for kind in chosen if kind not in codes]


class OverviewQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock()
    word_limit = blocks.IntegerBlock(min_value=10, max_value=5000, default=300)
    required = blocks.BooleanBlock(required=False, default=True)

    class Meta:
        icon = "help"
        template = "components/requirements/overview_question.html"
        preview_value = {
            "question": "Describe your school and the learners this work involved.",
            "word_limit": 300,
            "required": True,
        }
        description = "A context question answered in words, with a word limit."


class ArtifactSlotBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    guidance = blocks.TextBlock(help_text="What a strong artifact shows.")
    file_types = blocks.MultipleChoiceBlock(
        choices=ARTIFACT_FILE_TYPES, required=False, help_text="File kinds accepted, if any."
    )
    allow_link = blocks.BooleanBlock(required=False, default=False, help_text="Accept a URL.")
    required = blocks.BooleanBlock(required=False, default=True)
    max_files = blocks.IntegerBlock(min_value=1, max_value=10, default=1)

    class Meta:
        icon = "doc-empty"
        template = "components/requirements/artifact_slot.html"
        preview_value = {
            "title": "Lesson plan",
            "guidance": "Show where students used the tool and why.",
            "file_types": ["pdf", "document"],
            "allow_link": True,
            "required": True,
            "max_files": 2,
        }
        description = "Work to upload or link, with guidance on what it should show."

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # Only the kinds chosen, in the list's order; the template joins them with
        # semicolons, as the labels hold commas of their own.
        context["file_type_labels"] = file_type_labels(value.get("file_types"))
        return context

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file_types") and not value.get("allow_link"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "file_types": ValidationError(
                        "Accept at least one kind of file, or tick “allow link”."
                    )
                }
            )
        return value


class ReflectionPromptBlock(blocks.StructBlock):
    prompt = blocks.TextBlock()
    word_limit = blocks.IntegerBlock(min_value=10, max_value=5000, default=400)
    required = blocks.BooleanBlock(required=False, default=True)

    class Meta:
        icon = "edit"
        template = "components/requirements/reflection_prompt.html"
        preview_value = {
            "prompt": "What changed for your learners, and what will you do next?",
            "word_limit": 400,
            "required": True,
        }
        description = "A reflection on impact and next steps, with a word limit."


class RequirementsBlock(blocks.StreamBlock):
    overview_question = OverviewQuestionBlock()
    artifact = ArtifactSlotBlock(label="Artifact slot")
    reflection = ReflectionPromptBlock(label="Reflection prompt")


class RubricCriterionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    meets = blocks.TextBlock(help_text="What evidence that meets this criterion looks like.")
    feedback_guidance = blocks.TextBlock(
        help_text="For reviewers: what to say when the evidence is not there yet."
    )

    class Meta:
        icon = "tick"
        template = "components/requirements/rubric_criterion.html"
        preview_value = {
            "title": "Purposeful use",
            "meets": "The artifact shows technology chosen for a stated learning goal.",
            "feedback_guidance": "Ask which goal the tool served and how you could tell.",
        }
        description = "One criterion of the public rubric."


class MethodComponentBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    description = blocks.TextBlock()

    class Meta:
        icon = "list-ul"
        template = "components/blocks/method_component.html"
        preview_value = {"title": "Plan", "description": "Set a goal and choose a tool."}
        description = "One part of the key method."


class ResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    url = blocks.URLBlock()
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "link"
        template = "components/blocks/resource.html"
        preview_value = {"title": "A useful guide", "url": "https://example.org/"}
        description = "A link to a resource."


# Book sections.


class BookSectionBlock(blocks.StructBlock):
    number = blocks.IntegerBlock(min_value=1, max_value=200)
    title = blocks.CharBlock(max_length=200)
    pages = blocks.CharBlock(max_length=30, required=False, help_text="e.g. 1–24")
    discussion_prompts = blocks.ListBlock(blocks.TextBlock(), min_num=1)

    class Meta:
        icon = "doc-full-inverse"
        template = "components/blocks/book_section.html"
        preview_value = {
            "number": 1,
            "title": "Why change?",
            "pages": "1–24",
            "discussion_prompts": ["Which example matched your school?"],
        }
        description = "A chapter or section, with numbered discussion prompts."
