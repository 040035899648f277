"""factory_boy factories shared by the whole suite."""

import factory
import wagtail_factories
from allauth.account.models import EmailAddress

from accounts.models import User
from cms.models import HomePage, StandardPage

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@school.example")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """A verified primary address unless verified=False is passed, as after sign-up."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if create:
            user.save()


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Welcome to Leap"
    intro = "Professional learning that educators steer."


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Page {n}")
    show_in_menus = True


# Catalogue. Pages are built with their parent: `PathwayPageFactory(parent=index)`.


def element(code: str):
    from cms.models import FrameworkElement

    return FrameworkElement.objects.get(code=code)


class PathwayIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.PathwayIndexPage"

    title = "Pathways"
    slug = "pathways"


class MicroCredentialIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.MicroCredentialIndexPage"

    title = "Micro-credentials"
    slug = "micro-credentials"


class BookIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.BookIndexPage"

    title = "Books"
    slug = "books"


class FrameworkIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.FrameworkIndexPage"

    title = "Frameworks"
    slug = "frameworks"


def step(kind: str, title: str, **value) -> dict:
    return {
        "type": kind,
        "value": {"title": title, "estimated_minutes": 30, "required": True, **value},
    }


class PathwayPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.PathwayPage"

    title = factory.Sequence(lambda n: f"Pathway {n}")
    summary = "A guided route through one area of practice."
    level = "introductory"
    estimated_hours = 4
    outcomes = factory.LazyFunction(lambda: [{"type": "outcome", "value": "Plan a change."}])
    steps = factory.LazyFunction(
        lambda: [
            step("read", "Read the plan", instructions="<p>Read it.</p>", url="", book=None),
            step("reflect", "Reflect", prompt="What stood out?"),
        ]
    )


class MicroCredentialPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.MicroCredentialPage"

    title = factory.Sequence(lambda n: f"Micro-credential {n}")
    competency = "The educator uses data to adjust instruction."
    key_method = "Collect, analyse and act on one set of formative data."
    level = "intermediate"
    pd_hours = 3
    validity_months = 36
    requirements = factory.LazyFunction(
        lambda: [
            {
                "type": "overview_question",
                "value": {"question": "Describe your class.", "word_limit": 200, "required": True},
            },
            {
                "type": "artifact",
                "value": {
                    "title": "Data analysis",
                    "guidance": "Show the data and your analysis.",
                    "file_types": ["pdf"],
                    "allow_link": True,
                    "required": True,
                    "max_files": 2,
                },
            },
        ]
    )
    rubric = factory.LazyFunction(
        lambda: [
            {
                "type": "criterion",
                "value": {
                    "title": "Analysis",
                    "meets": "Patterns are named and backed by the data.",
                    "feedback_guidance": "Point to a pattern the analysis missed.",
                },
            }
        ]
    )


class BookPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "cms.BookPage"

    title = factory.Sequence(lambda n: f"Book {n}")
    authors = "R. Author"
    isbn = "9780306406157"
    summary = "<p>A book about leading change.</p>"
    sections = factory.LazyFunction(
        lambda: [
            {
                "type": "section",
                "value": {
                    "number": 1,
                    "title": "Why change",
                    "pages": "1–20",
                    "discussion_prompts": ["What would you change first?"],
                },
            }
        ]
    )


# Learning.


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.District"

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Membership"

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    role = "learner"
    joined_via = "admin"


def onboarded(user, role_code: str = "teacher"):
    """The user as after onboarding, with a role."""
    from cms.models import AudienceRole
    from learning.services import profile_onboard

    profile_onboard(
        user=user,
        display_name=user.display_name,
        role=AudienceRole.objects.get(code=role_code),
    )
    return user


def align(model, page, codes):
    for order, code in enumerate(codes):
        model.objects.create(page=page, element=element(code), sort_order=order)


def learning_catalogue(home):
    """A small catalogue for teachers: three micro-credentials (the third stacks on the
    first) and a pathway whose third step earns the first."""
    from types import SimpleNamespace

    from cms.models import (
        MicroCredentialAlignment,
        MicroCredentialPrerequisite,
        PathwayAlignment,
    )

    pathways = PathwayIndexPageFactory(parent=home)
    micro_credentials = MicroCredentialIndexPageFactory(parent=home)
    data = MicroCredentialPageFactory(
        parent=micro_credentials, title="Using Classroom Data", pd_hours=3
    )
    align(MicroCredentialAlignment, data, ["2.7"])
    design = MicroCredentialPageFactory(
        parent=micro_credentials, title="Designing Learning", pd_hours=5
    )
    align(MicroCredentialAlignment, design, ["2.5", "2.6"])
    advanced = MicroCredentialPageFactory(
        parent=micro_credentials, title="Advanced Data Coaching", pd_hours=2
    )
    align(MicroCredentialAlignment, advanced, ["2.7"])
    MicroCredentialPrerequisite.objects.create(page=advanced, required_page=data)
    advanced.save_revision().publish()
    pathway = PathwayPageFactory(
        parent=pathways,
        title="Data in the Classroom",
        estimated_hours=6,
        steps=[
            step("read", "Read the guide", instructions="<p>Read it.</p>", url="", book=None),
            step("reflect", "What do you measure?", prompt="What data do you use now?"),
            step("micro_credential", "Earn Using Classroom Data", micro_credential=data.pk),
            {
                "type": "discuss",
                "value": {
                    "title": "Optional: compare notes",
                    "estimated_minutes": 20,
                    "required": False,
                    "prompt": "Share one finding.",
                },
            },
        ],
    )
    align(PathwayAlignment, pathway, ["2.7", "2.1"])
    return SimpleNamespace(
        home=home,
        pathway=pathway,
        data=data,
        design=design,
        advanced=advanced,
        pathways=pathways,
        micro_credentials=micro_credentials,
    )


def self_assessment_finished(user, framework_code: str = "ISTE-E"):
    """A take on the framework with every assessed element rated 1, finished now."""
    from cms.models import Framework
    from learning import services

    framework = Framework.objects.get(code=framework_code)
    take = services.assessment_start(user=user, framework=framework)
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (1, "") for e in services.assessable_elements(framework)},
        complete=True,
    )
    return take
