"""Demo catalogue: the four section pages, books, micro-credentials and pathways.

A fresh Leap site should show what a real catalogue looks like, so that districts can try
pathways, submissions and book clubs before writing their own. The books, their authors
and their publisher are invented for this demo (hence "Leap Demo Editions"); resource links
point at example.org, and the demo's videos at a page of this site that says it is a demo
placeholder (static/demo/video-placeholder.html), never at a video that does not exist.

Everything is matched by slug under its parent: running this again creates only what is
missing and leaves existing pages, including editors' changes to them, untouched.
"""

from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont
from wagtail.images.models import Image
from wagtail.models import Page

from cms.models import (
    AudienceRole,
    BookAlignment,
    BookIndexPage,
    BookPage,
    FrameworkElement,
    FrameworkIndexPage,
    HomePage,
    Level,
    MicroCredentialAlignment,
    MicroCredentialIndexPage,
    MicroCredentialPage,
    MicroCredentialPrerequisite,
    PathwayAlignment,
    PathwayIndexPage,
    PathwayPage,
    PathwayPrerequisite,
)
from cms.services import frameworks_seed

DEMO_PUBLISHER = "Leap Demo Editions"
EXAMPLE = "https://example.org/leap"
# Demo "Watch" steps need a video address: a page of this site saying it is a placeholder.
DEMO_VIDEO = f"{settings.SITE_URL.rstrip('/')}{settings.STATIC_URL}demo/video-placeholder.html"

# Section pages under the home page.

INDEX_PAGES = [
    {
        "model": PathwayIndexPage,
        "slug": "pathways",
        "title": "Pathways",
        "intro": (
            "Guided sequences of reading, viewing, practice and reflection, most of them "
            "ending in micro-credentials you can earn. Pick one that fits your role and "
            "work through it at your own pace, on your own or with colleagues."
        ),
    },
    {
        "model": MicroCredentialIndexPage,
        "slug": "micro-credentials",
        "title": "Micro-credentials",
        "intro": (
            "Short credentials for one competency at a time. Try the method in your own "
            "school, submit what you made and what happened, and a trained reviewer "
            "assesses it against the public rubric shown on each page."
        ),
    },
    {
        "model": BookIndexPage,
        "slug": "books",
        "title": "Books",
        "intro": (
            "Professional books for self-study or a district book club. Each is split into "
            "sections with discussion prompts and comes with suggested PD hours."
        ),
    },
    {
        "model": FrameworkIndexPage,
        "slug": "frameworks",
        "title": "Frameworks",
        "intro": (
            "The published frameworks Leap maps its content to. Open a framework to see its "
            "elements, and open an element to find the pathways, micro-credentials and "
            "books aligned to it."
        ),
    },
]

# Books. ISBNs are the first twelve digits; the check digit is computed.

BOOKS = [
    {
        "slug": "the-quiet-rollout",
        "title": "The Quiet Rollout: Planning a 1:1 Programme Students Actually Use",
        "authors": "Marisol Ortega-Venn and Theo Achterberg",
        "year": 2024,
        "isbn12": "979888412031",
        "colour": "#12505C",
        "level": Level.INTERMEDIATE,
        "roles": ["district-technology-leader", "school-leader"],
        "pd_hours": Decimal("8.0"),
        "alignments": ["CTO-2", "EC-03", "EC-05", "DL-10A"],
        "summary": (
            "<p>A practical guide to planning, launching and sustaining a programme that puts "
            "a device in every student's hands. The authors argue that the best launches are "
            "quiet ones: the network copes, teachers know why the devices are there, families "
            "know what to expect, and nobody is surprised by the bill in year four.</p>"
            "<h3>What the book covers</h3>"
            "<ul><li>Starting from learning goals rather than from a choice of device</li>"
            "<li>Checking that infrastructure, support and staff are ready</li>"
            "<li>Total cost of ownership and refresh cycles</li>"
            "<li>Working with families, and handling damage, loss and repairs fairly</li>"
            "<li>Measuring whether the programme is making a difference</li></ul>"
            "<p>Each section ends with prompts for a leadership team or book club.</p>"
        ),
        "sections": [
            (
                "Start with the learning, not the device",
                "1–22",
                [
                    "What would a student do differently on an ordinary Tuesday if your "
                    "programme worked?",
                    "Which of your current goals could be met without a device for every "
                    "student, and what does that tell you?",
                ],
            ),
            (
                "Is the district ready? Infrastructure, support and people",
                "23–58",
                [
                    "If every student signed in at 8:15 on the first morning, which part of "
                    "your system would fail first?",
                    "How many devices can one technician realistically support in your "
                    "district today?",
                    "Who on your staff would you ask to test the launch plan, and why them?",
                ],
            ),
            (
                "Paying for it in year four",
                "59–94",
                [
                    "What does a device really cost you over its life once repairs, licences, "
                    "insurance and staff time are counted?",
                    "Which funding in your plan is one-off, and what replaces it when the "
                    "devices need renewing?",
                ],
            ),
            (
                "Families, care and the first month",
                "95–128",
                [
                    "What will a parent need to know before the device comes home, and in "
                    "which languages?",
                    "How will you handle a broken screen fairly for a family that cannot pay?",
                ],
            ),
            (
                "Knowing whether it worked",
                "129–162",
                [
                    "Which two or three measures would convince your board, and which would "
                    "convince your teachers?",
                    "What evidence would make you change course during the first year?",
                ],
            ),
        ],
    },
    {
        "slug": "data-you-can-trust",
        "title": "Data You Can Trust: Student Privacy in Practice for School Leaders",
        "authors": "Priya Ramaswamy-Holt",
        "year": 2025,
        "isbn12": "979888412048",
        "colour": "#4A2574",
        "level": Level.INTERMEDIATE,
        "roles": ["district-technology-leader", "school-leader", "instructional-coach"],
        "pd_hours": Decimal("6.0"),
        "alignments": ["CTO-3", "CTO-10", "DL-3B", "DL-8B"],
        "summary": (
            "<p>Schools collect more student data than ever, through learning apps, "
            "assessment platforms, cameras and messaging tools. This book sets out, in plain "
            "language, how leaders can know what data they hold, decide which tools may use "
            "it, and respond well when something goes wrong.</p>"
            "<h3>What the book covers</h3>"
            "<ul><li>Building and keeping an inventory of the systems that hold student "
            "data</li>"
            "<li>A repeatable process for approving new apps and services</li>"
            "<li>What to look for in a data-sharing agreement</li>"
            "<li>Role-based access, retention and deletion</li>"
            "<li>Preparing for, and handling, a data incident</li></ul>"
            "<p>It does not replace legal advice; it helps leaders ask better questions of "
            "their counsel, their vendors and their own staff.</p>"
        ),
        "sections": [
            (
                "What you hold and why",
                "1–26",
                [
                    "Could you list, today, every system that stores student names? Who could?",
                    "Which data do you collect out of habit rather than need?",
                ],
            ),
            (
                "Saying yes to a new app, carefully",
                "27–54",
                [
                    "How does a teacher in your district get a new app approved, and how long "
                    "does it take?",
                    "What happens when a tool is already in use before anyone has checked it?",
                    "Which questions would you ask every vendor, whatever the tool?",
                ],
            ),
            (
                "Agreements that mean something",
                "55–80",
                [
                    "Which terms would make you walk away from a contract?",
                    "Who reads the terms of service before staff click “accept”?",
                ],
            ),
            (
                "Access, retention and deletion",
                "81–108",
                [
                    "Who can see a student's records today who does not need to?",
                    "When did your district last delete data it no longer needed?",
                ],
            ),
            (
                "When something goes wrong",
                "109–136",
                [
                    "Who makes the first three phone calls if student data is exposed on a "
                    "Friday evening?",
                    "What would families need to hear from you, and how soon?",
                ],
            ),
            (
                "A culture of care",
                "137–158",
                [
                    "How would you explain your privacy practices to a student, in their own "
                    "words?",
                    "Which one habit would you most like every member of staff to adopt?",
                    "How will you know the culture is changing?",
                ],
            ),
        ],
    },
    {
        "slug": "learning-on-purpose",
        "title": "Learning on Purpose: Teacher-Led Professional Growth with Technology",
        "authors": "Dana Whitcombe, Kofi Mensah-Laurent and Ines Carvalho",
        "year": 2023,
        "isbn12": "979888412055",
        "colour": "#7A3E0E",
        "level": Level.INTRODUCTORY,
        "roles": ["teacher", "instructional-coach", "school-leader"],
        "pd_hours": Decimal("5.0"),
        "alignments": ["2.1", "2.5", "EC-07", "DL-4B"],
        "summary": (
            "<p>Written for teachers and the coaches who support them, this book makes the "
            "case that professional learning sticks when teachers choose a goal from their "
            "own classroom, try something small, look honestly at what happened and share "
            "it. It offers simple routines for doing that with technology, without adding "
            "hours to the week.</p>"
            "<h3>What the book covers</h3>"
            "<ul><li>Choosing a growth goal from your own students' needs</li>"
            "<li>Small classroom trials and how to gather evidence from them</li>"
            "<li>Coaching conversations that leave the teacher in charge</li>"
            "<li>Turning your evidence into a micro-credential submission</li></ul>"
        ),
        "sections": [
            (
                "Your classroom is the curriculum",
                "1–30",
                [
                    "Which moment in a recent lesson would you most like to improve?",
                    "What do your students find hardest, and where could technology help "
                    "rather than distract?",
                ],
            ),
            (
                "Small trials, honest evidence",
                "31–64",
                [
                    "What is the smallest change you could try next week?",
                    "What evidence, besides test scores, would show the change helped?",
                    "How will you hear from the students who say least?",
                ],
            ),
            (
                "Coaching that leaves you in charge",
                "65–96",
                [
                    "When has a colleague's feedback changed what you did in class?",
                    "What would you want a coach to ask you, and what would you rather they "
                    "did not?",
                ],
            ),
            (
                "Showing what you learned",
                "97–124",
                [
                    "Which piece of your work this year would you be proud to show a reviewer?",
                    "What would you tell a new teacher about the trial you ran?",
                ],
            ),
        ],
    },
]


# Micro-credentials, in creation order: a prerequisite comes before the page that needs it.


def _overview(question: str, word_limit: int = 250) -> dict:
    return {
        "type": "overview_question",
        "value": {"question": question, "word_limit": word_limit, "required": True},
    }


def _artifact(
    title: str,
    guidance: str,
    file_types: list[str],
    *,
    allow_link: bool = False,
    required: bool = True,
    max_files: int = 1,
) -> dict:
    return {
        "type": "artifact",
        "value": {
            "title": title,
            "guidance": guidance,
            "file_types": file_types,
            "allow_link": allow_link,
            "required": required,
            "max_files": max_files,
        },
    }


def _reflection(prompt: str, word_limit: int = 400) -> dict:
    return {
        "type": "reflection",
        "value": {"prompt": prompt, "word_limit": word_limit, "required": True},
    }


MICRO_CREDENTIALS = [
    {
        "slug": "one-to-one-readiness-review",
        "title": "1:1 Readiness Review",
        "level": Level.INTERMEDIATE,
        "roles": ["district-technology-leader", "school-leader"],
        "pd_hours": Decimal("5.0"),
        "validity_months": 36,
        "alignments": ["CTO-2", "DL-2B", "EC-03", "3.2"],
        "prerequisites": [],
        "competency": (
            "The educator leads a structured review of whether the district's infrastructure, "
            "support, staff and policies are ready for a 1:1 device programme, and turns the "
            "findings into a prioritised action plan."
        ),
        "key_method": (
            "Bring together a small cross-functional team: technology, teaching and learning, "
            "finance and at least one school leader. Review readiness in four areas against "
            "clear criteria, gather evidence for each rating rather than relying on opinion, "
            "and agree a short action plan that names an owner and a date for every gap that "
            "must close before launch."
        ),
        "components": [
            (
                "Form the review team",
                "Invite people who see the programme from different sides: network and "
                "support staff, curriculum leaders, a principal, someone from the business "
                "office and, where possible, a teacher and a parent. Agree the scope and the "
                "date the findings are due.",
            ),
            (
                "Rate readiness with evidence",
                "For infrastructure, technical support, professional learning and policy, rate "
                "the district on a simple scale and record the evidence behind each rating: "
                "load-test results, help-desk data, training records, policy documents.",
            ),
            (
                "Prioritise the gaps",
                "Sort the gaps into what must be fixed before launch, in the first term, and "
                "later. Be honest about cost and about the capacity of the people involved.",
            ),
            (
                "Agree the action plan",
                "Write one page per area with actions, owners, dates and how you will know "
                "each action is done, and take it to the leadership team for approval.",
            ),
        ],
        "research": (
            "<p>Large device programmes tend to stall for reasons that have little to do with "
            "the devices: networks that cannot cope with peak demand, too few people to fix "
            "problems quickly, teachers handed hardware without time to plan how to use it, "
            "and policies written only after problems appear. Planning frameworks for school "
            "technology, including the ISTE Essential Conditions and CoSN's Digital Leap "
            "Success Matrix, treat vision, implementation planning, access and support as "
            "being as important as the technology itself.</p>"
            "<p>A readiness review makes those conditions visible before launch, when gaps "
            "are cheapest to close. Asking for evidence rather than opinion also helps a team "
            "agree, because disagreements become questions about data.</p>"
        ),
        "resources": [
            (
                "Readiness review worksheet (template)",
                f"{EXAMPLE}/templates/one-to-one-readiness-review",
                "A four-area rating sheet with space for evidence, owners and dates.",
            ),
            (
                "Planning a network load test",
                f"{EXAMPLE}/guides/network-load-test",
                "A short guide to simulating the first morning of a launch.",
            ),
        ],
        "requirements": [
            _overview(
                "Describe your district and the 1:1 programme you are planning or reviewing: "
                "grades, numbers of students and devices, and where it stands today.",
                300,
            ),
            _overview("Who was on your review team, and why did you choose them?", 200),
            _artifact(
                "Completed readiness review",
                "Your rating for each of the four areas, with the evidence behind every "
                "rating. Ratings without evidence will not meet the rubric.",
                ["pdf", "spreadsheet", "document"],
                allow_link=True,
                max_files=3,
            ),
            _artifact(
                "Action plan",
                "The agreed plan for closing the gaps, with an action, owner, date and measure "
                "of done for each. Show which items must be done before launch.",
                ["pdf", "document", "presentation"],
                max_files=2,
            ),
            _reflection(
                "What did the review change about your launch plan or timeline? What would "
                "you do differently if you ran the review again?"
            ),
        ],
        "rubric": [
            (
                "Cross-functional review",
                "The team included technology, teaching and learning, finance and school "
                "leadership, and the overview explains why each took part.",
                "Ask which point of view was missing and how its absence might affect the "
                "plan; suggest adding that voice before resubmitting.",
            ),
            (
                "Evidence-based ratings",
                "Every area is rated, and each rating is backed by specific evidence such as "
                "test results, help-desk data or training records.",
                "Point to the ratings that rest on opinion and suggest one piece of evidence "
                "that could confirm or change each of them.",
            ),
            (
                "Prioritised, actionable plan",
                "Gaps are sorted by urgency, and each action has an owner, a date and a clear "
                "measure of done.",
                "Name the actions that lack an owner, date or measure, and ask which gaps "
                "truly must close before launch.",
            ),
            (
                "Learning from the review",
                "The reflection names concrete changes the review prompted and one specific "
                "improvement to the review itself.",
                "Ask for one decision the review changed and one thing the educator would do "
                "differently next time.",
            ),
        ],
    },
    {
        "slug": "sustainable-device-funding-plan",
        "title": "Sustainable Device Funding Plan",
        "level": Level.ADVANCED,
        "roles": ["district-technology-leader"],
        "pd_hours": Decimal("6.0"),
        "validity_months": 36,
        "alignments": ["CTO-9", "DL-10A", "DL-10B", "EC-04"],
        "prerequisites": ["one-to-one-readiness-review"],
        "competency": (
            "The educator builds a multi-year plan that funds a device programme through at "
            "least one full refresh cycle, based on the total cost of ownership rather than "
            "the purchase price."
        ),
        "key_method": (
            "Calculate the total cost of ownership of the programme over the life of the "
            "devices, including repairs, insurance, licences, management tools, network "
            "upgrades, staff time and disposal. Match every recurring cost to a recurring "
            "source of funding, plan the refresh cycle, and test the plan against at least "
            "one realistic budget shock."
        ),
        "components": [
            (
                "Count the full cost",
                "List every cost over the device's life, not just the purchase: cases, repairs "
                "and spares, insurance, device management and software licences, network and "
                "power upgrades, support staff, training and secure disposal.",
            ),
            (
                "Match costs to funding",
                "Separate one-off funding (grants, bonds, one-time allocations) from recurring "
                "funding, and make sure every recurring cost has a recurring source.",
            ),
            (
                "Plan the refresh",
                "Set a refresh cycle for each fleet and grade band, staggering purchases where "
                "you can so that the whole district never needs replacing in the same year.",
            ),
            (
                "Stress-test the plan",
                "Model one or two shocks, such as a grant ending early, a price rise or more "
                "breakages than expected, and show how the plan would respond.",
            ),
        ],
        "research": (
            "<p>Districts often pay for the first wave of devices with one-time money and "
            "then face a cliff when those devices wear out a few years later. Planning around "
            "the total cost of ownership, which counts everything needed to keep a device "
            "useful for its whole life, gives leaders and boards a more honest picture than "
            "the purchase price alone.</p>"
            "<p>Staggered refresh cycles and recurring funding lines make a programme easier "
            "to sustain and to defend in budget discussions, because the yearly cost becomes "
            "predictable.</p>"
        ),
        "resources": [
            (
                "Total cost of ownership calculator (spreadsheet template)",
                f"{EXAMPLE}/templates/device-tco-calculator",
                "Enter fleet sizes and costs to see the cost per student per year.",
            ),
        ],
        "requirements": [
            _overview(
                "Describe the device programme this plan covers: fleets, grades, number of "
                "devices, current funding and where the programme is in its life cycle.",
                300,
            ),
            _artifact(
                "Total cost of ownership model",
                "A spreadsheet showing every cost category over the life of the devices and "
                "the resulting cost per student per year. Label your assumptions.",
                ["spreadsheet", "pdf"],
                allow_link=True,
                max_files=2,
            ),
            _artifact(
                "Funding and refresh plan",
                "A plan covering at least one full refresh cycle that matches each recurring "
                "cost to a recurring source and shows the refresh schedule for each fleet.",
                ["pdf", "document", "presentation"],
                max_files=2,
            ),
            _reflection(
                "What did the full cost model show that surprised you or your colleagues, and "
                "how did the stress test change the plan?"
            ),
        ],
        "rubric": [
            (
                "Complete cost picture",
                "The model includes purchase, support, software, infrastructure, staff time, "
                "training and disposal, with its assumptions stated.",
                "Name the cost categories that are missing or unexplained and ask where their "
                "figures came from.",
            ),
            (
                "Sustainable funding",
                "Every recurring cost is matched to a recurring source, and one-time money "
                "pays only for one-time costs.",
                "Point to recurring costs paid for with one-time money and ask how they will "
                "be met once it runs out.",
            ),
            (
                "Realistic refresh cycle",
                "The schedule covers at least one full cycle, matches the expected life of the "
                "devices and avoids replacing every fleet in the same year where possible.",
                "Ask how the device life was decided and whether purchases could be staggered.",
            ),
            (
                "Tested against risk",
                "At least one realistic budget shock is modelled, with a clear response.",
                "Suggest a specific shock, such as a grant ending a year early, and ask how "
                "the plan would cope.",
            ),
        ],
    },
    {
        "slug": "student-data-privacy-inventory",
        "title": "Student Data Privacy Inventory",
        "level": Level.INTERMEDIATE,
        "roles": ["district-technology-leader", "school-leader"],
        "pd_hours": Decimal("4.0"),
        "validity_months": 24,
        "alignments": ["CTO-10", "DL-3B", "DL-8B"],
        "prerequisites": [],
        "competency": (
            "The educator builds and maintains an inventory of the systems and apps that hold "
            "student data, showing what each collects, why, who can see it and under what "
            "agreement."
        ),
        "key_method": (
            "Find every system and app that stores or processes students' personal "
            "information, working with schools, departments and purchasing records rather "
            "than relying on central lists alone. For each one, record the data collected, "
            "its purpose, who has access, where it is stored, how long it is kept and whether "
            "a data-protection agreement is in place. Use the gaps to set priorities, and "
            "agree how the inventory will stay current."
        ),
        "components": [
            (
                "Discover",
                "Combine purchasing and licence records, single sign-on and network reports, "
                "and a short survey of schools to find the tools in use, including free ones.",
            ),
            (
                "Record",
                "For each tool, record the data it collects, its purpose, who can access it, "
                "where the data is stored, how long it is kept and the agreement in place.",
            ),
            (
                "Prioritise",
                "Flag tools that hold sensitive data without an agreement, collect more than "
                "they need or give broad access, and decide what to do about each.",
            ),
            (
                "Keep it current",
                "Name an owner, link the inventory to the app approval process and set a "
                "review date, so that new tools are added as they arrive.",
            ),
        ],
        "research": (
            "<p>Most districts use far more online tools than any central list shows, because "
            "many are free or bought by individual schools. Privacy laws such as FERPA and "
            "COPPA in the United States, and many state student-privacy laws, expect schools "
            "to control who receives student records and on what terms. An inventory is the "
            "foundation for meeting those duties, answering parents' questions and acting "
            "quickly when a vendor reports a breach.</p>"
            "<p>Keeping the inventory tied to the approval process matters as much as "
            "building it: an inventory nobody maintains is out of date within a school "
            "year.</p>"
        ),
        "resources": [
            (
                "Student data inventory template",
                f"{EXAMPLE}/templates/student-data-inventory",
                "Columns for data, purpose, access, storage, retention and agreements.",
            ),
            (
                "Questions to ask before approving an app",
                f"{EXAMPLE}/guides/app-privacy-questions",
                "",
            ),
        ],
        "requirements": [
            _overview(
                "Describe the scope of your inventory (the whole district, one school or one "
                "department) and how student data tools were managed before you started."
            ),
            _artifact(
                "Data inventory",
                "Your inventory, covering at least 15 tools (or every tool in scope, if "
                "fewer), with data collected, purpose, access, storage, retention and "
                "agreement status for each. Remove any real student data before uploading.",
                ["spreadsheet", "pdf"],
                allow_link=True,
            ),
            _artifact(
                "Priorities and upkeep plan",
                "A short document listing the highest-risk findings and what you are doing "
                "about each, naming who owns the inventory and explaining how new tools will "
                "be added.",
                ["pdf", "document"],
            ),
            _reflection(
                "What did building the inventory show you about how tools enter your schools, "
                "and what will you change as a result?"
            ),
        ],
        "rubric": [
            (
                "Thorough discovery",
                "More than one discovery method was used, and the inventory includes tools "
                "adopted by schools as well as central systems.",
                "Ask which sources were used to find tools and suggest one more, such as "
                "single sign-on logs or a staff survey.",
            ),
            (
                "Complete records",
                "Each entry shows data collected, purpose, access, storage location, "
                "retention and agreement status.",
                "Point to the columns most often left blank and ask how that information "
                "could be found.",
            ),
            (
                "Risk-based priorities",
                "The highest-risk findings are identified, each with a reason and a specific "
                "action.",
                "Ask which three tools worry the educator most and why, and what a first step "
                "would be for each.",
            ),
            (
                "Sustainable upkeep",
                "The inventory has a named owner, a review date and a link to the approval "
                "process for new tools.",
                "Ask what happens when a teacher starts using a new app next month, and how "
                "the inventory will find out.",
            ),
        ],
    },
    {
        "slug": "vetting-classroom-apps-for-privacy",
        "title": "Vetting Classroom Apps for Privacy",
        "level": Level.INTRODUCTORY,
        "roles": ["teacher", "instructional-coach"],
        "pd_hours": Decimal("3.0"),
        "validity_months": 24,
        "alignments": ["2.3", "DL-3B", "CTO-3"],
        "prerequisites": [],
        "competency": (
            "The educator checks a digital tool for privacy and suitability before using it "
            "with students, follows the district's approval process, and explains the choice "
            "to students and families."
        ),
        "key_method": (
            "Choose a tool you would like to use with students. Check it against a short set "
            "of privacy and suitability questions: what data it collects, whether students "
            "need accounts, where the data goes and whether your district has approved it. "
            "Decide whether to use it, use it with safeguards or choose an alternative, and "
            "tell students and families what you decided and why."
        ),
        "components": [
            (
                "Check the approval status",
                "Find out whether the tool is on your district's approved list and, if not, "
                "how to ask for a review.",
            ),
            (
                "Ask the privacy questions",
                "Read the tool's privacy information and settings to find what data it "
                "collects, whether it shows adverts, who it shares data with and how data can "
                "be deleted.",
            ),
            (
                "Decide and set up safely",
                "Decide whether to use the tool and, if so, how: for example without student "
                "accounts, with pseudonyms or with public sharing switched off.",
            ),
            (
                "Explain the choice",
                "Tell students and families in plain language what the tool is for, what data "
                "it uses and whom to ask with questions.",
            ),
        ],
        "research": (
            "<p>Many of the apps teachers come across are free and quick to sign up for, and "
            "some collect more information than a lesson needs or use it for advertising. "
            "Teachers are often the first line of defence: a few minutes of checking before "
            "students sign up prevents most problems, and working through the district's "
            "approval process keeps the school within its legal duties.</p>"
            "<p>Explaining a tool choice to students is also a lesson in digital citizenship: "
            "students learn to ask the same questions about the apps they use outside "
            "school.</p>"
        ),
        "resources": [
            (
                "Classroom app privacy checklist",
                f"{EXAMPLE}/guides/classroom-app-checklist",
                "Ten questions to answer before students sign up.",
            ),
        ],
        "requirements": [
            _overview(
                "Describe your class or group and the learning goal you wanted the tool to "
                "support.",
                200,
            ),
            _artifact(
                "Completed app review",
                "Your answers to the privacy and suitability questions for the tool, where "
                "you found each answer, and your decision.",
                ["pdf", "document", "image"],
                allow_link=True,
                max_files=2,
            ),
            _artifact(
                "Note to students and families",
                "The message, letter or slide you used to explain the tool and the data it "
                "uses. It should be short, clear and free of jargon.",
                ["pdf", "document", "presentation", "image"],
                allow_link=True,
            ),
            _reflection(
                "How did checking the tool change the way you planned to use it, and how did "
                "students or families respond to your explanation?",
                300,
            ),
        ],
        "rubric": [
            (
                "Follows the approval process",
                "The submission shows the tool's approval status and that the district's "
                "process was followed.",
                "Ask whether the tool is approved, and point the educator to how to request a "
                "review.",
            ),
            (
                "Informed privacy check",
                "Each privacy question is answered with a source, such as the privacy policy "
                "or a settings page.",
                "Point to answers without a source and ask where in the tool's information "
                "they could be checked.",
            ),
            (
                "Safe, reasoned decision",
                "The decision follows from the findings and includes any safeguards used.",
                "Ask how the findings led to the decision, and which setting or safeguard "
                "could reduce the risk.",
            ),
            (
                "Clear explanation",
                "The note to students and families explains the purpose and the data used in "
                "plain language.",
                "Suggest rewriting one technical sentence in everyday words and adding whom "
                "to contact with questions.",
            ),
        ],
    },
    {
        "slug": "designing-technology-rich-learning",
        "title": "Designing Technology-Rich Learning",
        "level": Level.INTRODUCTORY,
        "roles": ["teacher", "instructional-coach"],
        "pd_hours": Decimal("4.0"),
        "validity_months": None,
        "alignments": ["2.5", "2.6", "EC-10"],
        "prerequisites": [],
        "competency": (
            "The educator designs and teaches a learning activity in which technology helps "
            "students reach a clear learning goal in a way that would be hard without it."
        ),
        "key_method": (
            "Start from a learning goal and your students' needs, then choose technology that "
            "does something specific for that goal: giving students choice in how they show "
            "what they know, making their thinking visible, connecting them with an audience "
            "or giving faster feedback. Teach the activity, gather evidence of learning and "
            "adjust."
        ),
        "components": [
            (
                "Start from the goal",
                "Name the learning goal and the students it is for, including those who need "
                "more support or more challenge.",
            ),
            (
                "Choose the technology on purpose",
                "Explain what the tool lets students do that they could not easily do "
                "otherwise, and check that it is approved for use with students.",
            ),
            (
                "Design for every learner",
                "Build in choice, accessibility features and clear instructions so that every "
                "student can take part.",
            ),
            (
                "Teach, gather evidence, adjust",
                "Teach the activity, collect examples of student work and note what you would "
                "change.",
            ),
        ],
        "research": (
            "<p>Technology improves learning most reliably when it is chosen for a specific "
            "purpose, such as more practice with feedback, more ways to represent an idea or "
            "a real audience for student work, rather than used for its own sake. Designing "
            "from the learning goal first makes that purpose explicit.</p>"
            "<p>Ideas from Universal Design for Learning, such as offering several ways to "
            "take in information and to show understanding, help technology-rich activities "
            "work for every student rather than only for the most confident.</p>"
        ),
        "resources": [
            (
                "Activity design planner",
                f"{EXAMPLE}/templates/activity-design-planner",
                "A one-page planner: goal, students, tool, evidence.",
            ),
            (
                "Accessibility features worth knowing",
                f"{EXAMPLE}/guides/accessibility-features",
                "Built-in tools such as read-aloud, captions and zoom.",
            ),
        ],
        "requirements": [
            _overview("Describe your students and the learning goal of the activity."),
            _artifact(
                "Activity plan",
                "Your plan, showing the goal, the technology chosen and why, how students "
                "with different needs take part, and how you will know they learned.",
                ["pdf", "document", "presentation"],
                allow_link=True,
                max_files=2,
            ),
            _artifact(
                "Student work samples",
                "Two or three samples of student work showing different levels of success, "
                "with names removed and faces blurred.",
                ["pdf", "image", "video", "audio", "document"],
                allow_link=True,
                max_files=3,
            ),
            _reflection(
                "What did the technology add to your students' learning, what evidence shows "
                "it, and what would you change next time?"
            ),
        ],
        "rubric": [
            (
                "Goal-first design",
                "The plan states a clear learning goal, and the choice of technology is "
                "explained in terms of that goal.",
                "Ask what students could do with the tool that they could not easily do "
                "without it.",
            ),
            (
                "Designed for every learner",
                "The plan shows how students with different needs, including those who use "
                "accessibility features, can take part.",
                "Ask which students might struggle with the activity, and what choice or "
                "support could help them.",
            ),
            (
                "Evidence of learning",
                "The work samples show progress toward the goal, and the educator explains "
                "what each shows.",
                "Ask the educator to point to specific features of the samples that show learning.",
            ),
            (
                "Reflective adjustment",
                "The reflection names what worked, what did not, and a concrete change for "
                "next time.",
                "Ask for one specific change and why it would help.",
            ),
        ],
    },
    {
        "slug": "using-classroom-data-to-adjust-teaching",
        "title": "Using Classroom Data to Adjust Teaching",
        "level": Level.INTERMEDIATE,
        "roles": ["teacher", "instructional-coach"],
        "pd_hours": Decimal("4.0"),
        "validity_months": 36,
        "alignments": ["2.7", "EC-11", "DL-8C"],
        "prerequisites": [],
        "competency": (
            "The educator uses data from digital tools and classroom assessment to see what "
            "students need, and adjusts teaching in response."
        ),
        "key_method": (
            "Pick a short unit or sequence of lessons. Collect data from at least two "
            "sources, such as a quiz platform, exit tickets or student self-assessments. Look "
            "for patterns across groups and individuals, decide on one or two adjustments, "
            "make them, and check whether they helped."
        ),
        "components": [
            (
                "Collect from more than one source",
                "Use at least two kinds of data so that no single tool decides what you think "
                "students know.",
            ),
            (
                "Look for patterns",
                "Sort the data by question, skill and group to see who needs what, and note "
                "what the data cannot tell you.",
            ),
            (
                "Adjust",
                "Choose one or two changes, such as regrouping, reteaching a skill or adding "
                "practice, and make them.",
            ),
            (
                "Check the effect",
                "Collect data again to see whether the change helped, and share what you "
                "found with your students.",
            ),
        ],
        "research": (
            "<p>Using assessment information during teaching, not only at the end of a unit, "
            "is one of the best-supported ways to improve learning. Digital tools make the "
            "information quicker to gather, but the benefit comes from what the teacher does "
            "with it: noticing patterns, changing the next lesson and helping students "
            "understand their own progress.</p>"
            "<p>Drawing on more than one source guards against trusting a single score too "
            "much, and sharing the data with students helps them take ownership of their "
            "goals.</p>"
        ),
        "resources": [
            (
                "A data conversation protocol for teachers",
                f"{EXAMPLE}/guides/classroom-data-protocol",
                "Four questions to ask of any class data set, in twenty minutes.",
            ),
        ],
        "requirements": [
            _overview("Describe your class, the unit you chose and the data sources you used."),
            _artifact(
                "Data summary",
                "A summary of the data before and after your adjustment, grouped by skill or "
                "question. Remove student names or replace them with codes.",
                ["spreadsheet", "pdf", "image"],
                max_files=2,
            ),
            _artifact(
                "Adjusted lesson",
                "The plan or materials for the lesson you changed, with the change highlighted.",
                ["pdf", "document", "presentation"],
                allow_link=True,
                max_files=2,
            ),
            _reflection(
                "What did the data show, what did you change, and did it help? What did the "
                "data not tell you?"
            ),
        ],
        "rubric": [
            (
                "More than one source",
                "Data from at least two sources is used, and the educator explains what each "
                "shows.",
                "Suggest a second source that could confirm or challenge the first.",
            ),
            (
                "Sound interpretation",
                "Patterns are identified accurately, and the limits of the data are acknowledged.",
                "Point to a conclusion the data does not quite support and ask what else could "
                "explain it.",
            ),
            (
                "Responsive adjustment",
                "The adjustment follows clearly from the data and is described specifically.",
                "Ask how the change connects to the pattern found in the data.",
            ),
            (
                "Checked impact",
                "Follow-up data shows whether the adjustment helped, and next steps are named.",
                "Ask what the follow-up data showed and what the educator would try next.",
            ),
        ],
    },
    {
        "slug": "coaching-cycles-for-technology-integration",
        "title": "Coaching Cycles for Technology Integration",
        "level": Level.INTERMEDIATE,
        "roles": ["instructional-coach", "school-leader"],
        "pd_hours": Decimal("6.0"),
        "validity_months": 36,
        "alignments": ["2.4", "EC-07", "DL-4B", "3.5"],
        "prerequisites": ["designing-technology-rich-learning"],
        "competency": (
            "The educator leads a coaching cycle that helps a colleague set a technology-"
            "related teaching goal, try it in class and reflect on the evidence, leaving the "
            "colleague in charge of their own growth."
        ),
        "key_method": (
            "Partner with a teacher for a full coaching cycle of four to six weeks. Agree a "
            "goal that starts from their students' needs, plan a lesson together, observe or "
            "co-teach it, look at student work together and agree next steps. Ask more than "
            "you tell, and keep notes the teacher can see."
        ),
        "components": [
            (
                "Agree the goal",
                "Help the teacher choose a goal from their own classroom and decide how you "
                "will both know when it has been reached.",
            ),
            (
                "Plan together",
                "Co-plan a lesson or activity that uses technology to serve the goal, with the "
                "teacher making the final choices.",
            ),
            (
                "Observe or co-teach",
                "Be in the room, or watch a recording, and collect the evidence you agreed on, "
                "focusing on what students do rather than on the teacher.",
            ),
            (
                "Reflect and decide",
                "Look at the evidence together, ask open questions and let the teacher decide "
                "what to try next.",
            ),
        ],
        "research": (
            "<p>Professional learning that is sustained, rooted in teachers' own classrooms "
            "and includes feedback is far more likely to change practice than one-off "
            "workshops. Coaching cycles build in all three.</p>"
            "<p>Coaching works best when the teacher owns the goal and the coach's job is to "
            "ask good questions and help gather evidence, not to evaluate. Keeping "
            "observation notes focused on students keeps the conversation about learning "
            "rather than about performance.</p>"
        ),
        "resources": [
            (
                "Coaching cycle planner",
                f"{EXAMPLE}/templates/coaching-cycle-planner",
                "",
            ),
            (
                "Open questions for coaching conversations",
                f"{EXAMPLE}/guides/coaching-questions",
                "Questions that help a teacher think aloud without being steered.",
            ),
        ],
        "requirements": [
            _overview(
                "Describe your role, the teacher you partnered with (without naming them) and "
                "the goal you agreed."
            ),
            _artifact(
                "Coaching cycle record",
                "Your notes from each stage of the cycle (goal, planning, observation evidence "
                "and debrief), as shared with the teacher.",
                ["pdf", "document"],
                allow_link=True,
                max_files=3,
            ),
            _artifact(
                "Debrief recording or transcript",
                "Optional: a short recording or transcript excerpt of the debrief "
                "conversation, shared with the teacher's permission.",
                ["audio", "video", "document"],
                required=False,
            ),
            _reflection(
                "How did the teacher's practice or thinking change during the cycle, and what "
                "did you learn about your own coaching?"
            ),
        ],
        "rubric": [
            (
                "Teacher-owned goal",
                "The goal comes from the teacher's own classroom, and both agreed how success "
                "would be judged.",
                "Ask whose goal it was and how the teacher would describe it in their own words.",
            ),
            (
                "Evidence-focused observation",
                "Observation notes record what students did and said, not judgements of the "
                "teacher.",
                "Point to a judgement in the notes and ask what student evidence lies behind it.",
            ),
            (
                "Reflective conversation",
                "The debrief shows open questions, and the teacher choosing the next steps.",
                "Suggest two open questions the coach could have asked, and ask who chose the "
                "next step.",
            ),
            (
                "The coach's own growth",
                "The reflection names a specific insight about the coach's own practice.",
                "Ask for one thing the coach will do differently in the next cycle.",
            ),
        ],
    },
]


# Pathways, in creation order: a prerequisite pathway comes before the one that needs it.
# Steps name books and micro-credentials by slug; they become page ids when created.

PATHWAYS = [
    {
        "slug": "student-data-privacy-for-district-leaders",
        "title": "Student data privacy for district leaders",
        "level": Level.INTERMEDIATE,
        "roles": ["district-technology-leader", "school-leader"],
        "alignments": ["CTO-10", "DL-3B", "DL-8B", "CTO-3"],
        "prerequisites": [],
        "summary": (
            "Find out which systems hold your students' data, decide how new tools are "
            "approved and prepare for the day something goes wrong. For district technology "
            "leaders and principals who want a privacy programme that works in practice, not "
            "only on paper."
        ),
        "outcomes": [
            "Explain the district's main duties for student data in plain language",
            "Build and maintain an inventory of the systems that hold student data",
            "Run a consistent, timely process for approving new apps and services",
            "Lead a practised response to a student data incident",
        ],
        "steps": [
            {
                "type": "read",
                "title": "Read “Data You Can Trust”, sections 1–3",
                "minutes": 150,
                "book": "data-you-can-trust",
                "instructions": (
                    "<p>Read the first three sections, on knowing what you hold, approving new "
                    "tools and data-sharing agreements. As you read, list the questions you "
                    "could not answer about your own district today.</p>"
                ),
            },
            {
                "type": "watch",
                "title": "Finding the apps nobody listed",
                "minutes": 20,
                "url": DEMO_VIDEO,
                "transcript_url": f"{DEMO_VIDEO}#transcript",
                "instructions": (
                    "<p>A technology director and a principal compare what their central list "
                    "said with what teachers were actually using. Note which ways of finding "
                    "tools would work in your district.</p>"
                ),
            },
            {
                "type": "do",
                "title": "Map how a new app gets approved today",
                "minutes": 60,
                "instructions": (
                    "<p>Talk to two teachers and one school office manager about how they "
                    "start using a new app. Draw the path a request actually takes, including "
                    "the shortcuts, and mark each point where student data could reach a "
                    "vendor before anyone has checked the tool.</p>"
                ),
            },
            {
                "type": "micro_credential",
                "title": "Earn the Student Data Privacy Inventory micro-credential",
                "minutes": 240,
                "micro_credential": "student-data-privacy-inventory",
            },
            {
                "type": "discuss",
                "title": "Compare approval processes",
                "minutes": 30,
                "required": False,
                "prompt": (
                    "Share your map of how apps get approved. Where do requests stall, and "
                    "where do tools slip through unchecked? Suggest one practice another "
                    "district could borrow from yours."
                ),
            },
            {
                "type": "read",
                "title": "Read: planning a data incident exercise",
                "minutes": 45,
                "url": f"{EXAMPLE}/guides/data-incident-tabletop",
                "instructions": (
                    "<p>Read the guide to running a tabletop exercise, then section 5 of "
                    "<em>Data You Can Trust</em>. Choose a realistic scenario for your "
                    "district, such as a vendor breach or a misdirected spreadsheet.</p>"
                ),
            },
            {
                "type": "do",
                "title": "Run a one-hour tabletop exercise",
                "minutes": 90,
                "instructions": (
                    "<p>With your leadership team, walk through the scenario hour by hour: "
                    "who finds out, who decides, who tells families and what you say. Write "
                    "down every question nobody could answer and give each one an owner.</p>"
                ),
            },
            {
                "type": "reflect",
                "title": "What would you change tomorrow?",
                "minutes": 15,
                "prompt": (
                    "Looking at your inventory and your tabletop exercise, which single "
                    "change would most reduce the risk to students in your district, and what "
                    "is stopping it?"
                ),
            },
        ],
    },
    {
        "slug": "leading-a-1-1-device-programme",
        "title": "Leading a 1:1 device programme",
        "level": Level.ADVANCED,
        "roles": ["district-technology-leader", "school-leader"],
        "alignments": ["CTO-2", "EC-03", "EC-05", "DL-10A"],
        "prerequisites": ["student-data-privacy-for-district-leaders"],
        "summary": (
            "Plan, launch and sustain a programme that gives every student a device, starting "
            "from learning goals and ending with a funding plan that survives the first "
            "refresh. For district technology leaders and school leaders planning a new "
            "programme or steadying an existing one."
        ),
        "outcomes": [
            "Tie a device programme to learning goals that staff and families understand",
            "Judge readiness with evidence and close the most important gaps before launch",
            "Fund the total cost of ownership through at least one refresh cycle",
            "Choose measures that show whether the programme is making a difference",
        ],
        "steps": [
            {
                "type": "read",
                "title": "Read “The Quiet Rollout”, sections 1–2",
                "minutes": 120,
                "book": "the-quiet-rollout",
                "instructions": (
                    "<p>Read the sections on learning goals and readiness. Write down, in one "
                    "sentence, what your programme is for.</p>"
                ),
            },
            {
                "type": "watch",
                "title": "The first morning of a launch",
                "minutes": 25,
                "url": DEMO_VIDEO,
                "transcript_url": f"{DEMO_VIDEO}#transcript",
                "instructions": (
                    "<p>Three members of a district team talk through a launch day: the "
                    "network, the help-desk queue and the first lesson. List the problems a "
                    "readiness check could have caught.</p>"
                ),
            },
            {
                "type": "discuss",
                "title": "Why are we doing this?",
                "minutes": 30,
                "prompt": (
                    "Share your one-sentence purpose for the programme. Would a teacher, a "
                    "parent and a student all understand it and agree with it? Suggest one "
                    "improvement to a colleague's sentence."
                ),
            },
            {
                "type": "micro_credential",
                "title": "Earn the 1:1 Readiness Review micro-credential",
                "minutes": 300,
                "micro_credential": "one-to-one-readiness-review",
            },
            {
                "type": "read",
                "title": "Read “The Quiet Rollout”, section 3",
                "minutes": 60,
                "book": "the-quiet-rollout",
                "instructions": (
                    "<p>Read “Paying for it in year four”. List every cost your current budget "
                    "does not yet show.</p>"
                ),
            },
            {
                "type": "micro_credential",
                "title": "Earn the Sustainable Device Funding Plan micro-credential",
                "minutes": 360,
                "micro_credential": "sustainable-device-funding-plan",
            },
            {
                "type": "do",
                "title": "Draft your family communication plan",
                "minutes": 60,
                "instructions": (
                    "<p>Draft the messages families will receive before, during and after "
                    "devices go home: what the device is for, how to get help, what happens "
                    "if it is damaged and how student data is protected. Ask two parents to "
                    "read the drafts and tell you what is unclear.</p>"
                ),
            },
            {
                "type": "reflect",
                "title": "Measuring what matters",
                "minutes": 20,
                "prompt": (
                    "Which two or three measures will tell you, a year after launch, whether "
                    "the programme is helping students learn? What result would make you "
                    "change course?"
                ),
            },
        ],
    },
    {
        "slug": "personalised-professional-learning-for-teachers",
        "title": "Personalised professional learning for teachers",
        "level": Level.INTRODUCTORY,
        "roles": ["teacher", "instructional-coach"],
        "alignments": ["2.1", "2.5", "EC-07", "DL-4B"],
        "prerequisites": [],
        "summary": (
            "Choose a goal from your own classroom, try something small with technology, look "
            "honestly at the evidence and earn micro-credentials for what you learn. For "
            "teachers, and the coaches who support them, who want professional learning that "
            "fits their students and their week."
        ),
        "outcomes": [
            "Choose a professional growth goal rooted in your students' needs",
            "Design and teach an activity in which technology serves a clear learning goal",
            "Gather and interpret evidence of learning from more than one source",
            "Share what you learned with colleagues and turn it into a credential",
        ],
        "steps": [
            {
                "type": "reflect",
                "title": "Where do you want to grow?",
                "minutes": 20,
                "prompt": (
                    "Think of one recent lesson. Which moment would you most like to improve "
                    "for your students, and why does it matter to you?"
                ),
            },
            {
                "type": "read",
                "title": "Read “Learning on Purpose”, sections 1–2",
                "minutes": 120,
                "book": "learning-on-purpose",
                "instructions": (
                    "<p>Read the sections on choosing a goal and running small trials. Note "
                    "one idea you could try within the next two weeks.</p>"
                ),
            },
            {
                "type": "watch",
                "title": "A small trial from start to finish",
                "minutes": 15,
                "url": DEMO_VIDEO,
                "transcript_url": f"{DEMO_VIDEO}#transcript",
                "instructions": (
                    "<p>A middle-school teacher plans a ten-minute change to a lesson, tries "
                    "it and looks at the student work with a coach. Notice how small the "
                    "change is, and how the evidence is chosen before the lesson.</p>"
                ),
            },
            {
                "type": "do",
                "title": "Plan a small trial",
                "minutes": 45,
                "instructions": (
                    "<p>Using the activity design planner, plan one change to an upcoming "
                    "lesson that uses technology for a specific purpose. Decide in advance "
                    "which student evidence you will collect.</p>"
                ),
            },
            {
                "type": "micro_credential",
                "title": "Earn the Designing Technology-Rich Learning micro-credential",
                "minutes": 240,
                "micro_credential": "designing-technology-rich-learning",
            },
            {
                "type": "micro_credential",
                "title": "Optional: earn Vetting Classroom Apps for Privacy",
                "minutes": 180,
                "required": False,
                "micro_credential": "vetting-classroom-apps-for-privacy",
            },
            {
                "type": "discuss",
                "title": "Share your trial",
                "minutes": 30,
                "prompt": (
                    "Share one sample of student work from your trial and what it shows. What "
                    "would you advise a colleague who wants to try the same thing?"
                ),
            },
            {
                "type": "micro_credential",
                "title": "Take it further: Using Classroom Data to Adjust Teaching",
                "minutes": 240,
                "required": False,
                "micro_credential": "using-classroom-data-to-adjust-teaching",
            },
            {
                "type": "micro_credential",
                "title": "For coaches: Coaching Cycles for Technology Integration",
                "minutes": 360,
                "required": False,
                "micro_credential": "coaching-cycles-for-technology-integration",
            },
        ],
    },
]


# Small helpers.


def isbn13(first_twelve: str) -> str:
    """A full ISBN-13 from its first twelve digits, so the demo never ships a bad check digit."""
    total = sum((3 if i % 2 else 1) * int(digit) for i, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def _by_code(model, codes: list[str]) -> list:
    """Rows in the order given. Seeds the frameworks data once if any is missing (a flushed
    database has none), since pages cannot be aligned to rows that do not exist."""
    found = {row.code: row for row in model.objects.filter(code__in=codes)}
    if len(found) < len(set(codes)):
        frameworks_seed()
        found = {row.code: row for row in model.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise LookupError(f"No {model.__name__} with code {', '.join(missing)}.")
    return [found[code] for code in codes]


def _existing_child(parent: Page, slug: str) -> Page | None:
    page = parent.get_children().filter(slug=slug).first()
    return page.specific if page else None


def _publish_new_child(parent: Page, page: Page) -> Page:
    """Adds the page and publishes it, so it has a first revision like any edited page."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _hours(minutes: int) -> Decimal:
    """Minutes as hours, to the nearest half hour (at least half an hour)."""
    halves = (Decimal(minutes) / 30).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(halves, Decimal(1)) / 2


# Images.

WHITE = (255, 255, 255, 255)


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _png(image: PillowImage.Image, size: tuple[int, int]) -> bytes:
    """Drawn at twice the size and scaled down, which smooths edges Pillow does not."""
    buffer = BytesIO()
    image.resize(size, PillowImage.Resampling.LANCZOS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _hexagon(centre: float, radius: float) -> list[tuple[float, float]]:
    """A hexagon with flat top and bottom edges."""
    half = radius / 2
    height = radius * 0.8660254
    return [
        (centre - radius, centre),
        (centre - half, centre - height),
        (centre + half, centre - height),
        (centre + radius, centre),
        (centre + half, centre + height),
        (centre - half, centre + height),
    ]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def cover_png(title: str, authors: str, colour: str) -> bytes:
    """A 400 × 600 portrait cover: the title and authors in white on a dark colour."""
    scale = 2
    width, height = 400 * scale, 600 * scale
    margin = 36 * scale
    image = PillowImage.new("RGB", (width, height), _rgb(colour))
    draw = ImageDraw.Draw(image)
    draw.rectangle((margin, margin, width - margin, margin + 6 * scale), fill="white")
    main_title, _, subtitle = title.partition(": ")
    y = margin + 40 * scale
    for text, size, gap in ((main_title, 40, 50), (subtitle, 22, 30)):
        font = ImageFont.load_default(size=size * scale)
        for line in _wrap(draw, text, font, width - 2 * margin):
            draw.text((margin, y), line, font=font, fill="white")
            y += gap * scale
        y += 24 * scale
    small = ImageFont.load_default(size=20 * scale)
    author_lines = _wrap(draw, authors, small, width - 2 * margin)
    y = height - margin - 30 * scale * (len(author_lines) + 1)
    for line in author_lines:
        draw.text((margin, y), line, font=small, fill="white")
        y += 30 * scale
    tiny = ImageFont.load_default(size=16 * scale)
    draw.text((margin, height - margin - 16 * scale), DEMO_PUBLISHER, font=tiny, fill="white")
    return _png(image, (400, 600))


def _image_ensure(title: str, filename: str, description: str, render) -> Image:
    """The Wagtail image with this title, made (by calling `render`) only if missing."""
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image.objects.create(
            title=title,
            description=description,
            file=ImageFile(BytesIO(render()), name=filename),
        )
    return image


# Pages.


def _index_pages_ensure(home: HomePage) -> list[Page]:
    """The four sections. Each may exist only once, so one an editor re-slugged is reused."""
    pages = []
    for spec in INDEX_PAGES:
        model = spec["model"]
        page = _existing_child(home, spec["slug"]) or model.objects.child_of(home).first()
        if page is None:
            page = _publish_new_child(
                home,
                model(
                    title=spec["title"],
                    slug=spec["slug"],
                    intro=spec["intro"],
                    show_in_menus=True,
                ),
            )
        pages.append(page)
    return pages


def _book_ensure(index: BookIndexPage, spec: dict) -> BookPage:
    page = _existing_child(index, spec["slug"])
    if page is not None:
        return page
    cover = _image_ensure(
        f"Cover: {spec['title']}",
        f"cover-{spec['slug']}.png",
        f"Cover of {spec['title']} by {spec['authors']}: white title text on a plain "
        f"coloured background.",
        lambda: cover_png(spec["title"], spec["authors"], spec["colour"]),
    )
    page = BookPage(
        title=spec["title"],
        slug=spec["slug"],
        authors=spec["authors"],
        publisher=DEMO_PUBLISHER,
        year=spec["year"],
        isbn=isbn13(spec["isbn12"]),
        cover_image=cover,
        summary=spec["summary"],
        sections=[
            {
                "type": "section",
                "value": {
                    "number": number,
                    "title": title,
                    "pages": pages,
                    "discussion_prompts": prompts,
                },
            }
            for number, (title, pages, prompts) in enumerate(spec["sections"], start=1)
        ],
        level=spec["level"],
        suggested_pd_hours=spec["pd_hours"],
    )
    page.audience_roles = _by_code(AudienceRole, spec["roles"])
    page.alignments = [
        BookAlignment(element=element, sort_order=i)
        for i, element in enumerate(_by_code(FrameworkElement, spec["alignments"]))
    ]
    return _publish_new_child(index, page)


def _micro_credential_ensure(
    index: MicroCredentialIndexPage, spec: dict, earlier: dict[str, MicroCredentialPage]
) -> MicroCredentialPage:
    page = _existing_child(index, spec["slug"])
    if page is not None:
        return page
    page = MicroCredentialPage(
        title=spec["title"],
        slug=spec["slug"],
        competency=spec["competency"],
        key_method=spec["key_method"],
        method_components=[
            {"type": "component", "value": {"title": title, "description": description}}
            for title, description in spec["components"]
        ],
        supporting_research=spec["research"],
        resources=[
            {"type": "resource", "value": {"title": title, "url": url, "description": text}}
            for title, url, text in spec["resources"]
        ],
        requirements=spec["requirements"],
        rubric=[
            {
                "type": "criterion",
                "value": {"title": title, "meets": meets, "feedback_guidance": guidance},
            }
            for title, meets, guidance in spec["rubric"]
        ],
        level=spec["level"],
        pd_hours=spec["pd_hours"],
        validity_months=spec["validity_months"],
    )
    page.audience_roles = _by_code(AudienceRole, spec["roles"])
    page.alignments = [
        MicroCredentialAlignment(element=element, sort_order=i)
        for i, element in enumerate(_by_code(FrameworkElement, spec["alignments"]))
    ]
    page.prerequisites = [
        MicroCredentialPrerequisite(required_page=earlier[slug], sort_order=i)
        for i, slug in enumerate(spec["prerequisites"])
    ]
    return _publish_new_child(index, page)


def _step(spec: dict, books: dict[str, BookPage], credentials: dict) -> dict:
    """A step block's raw value; books and micro-credentials are named by slug in the data."""
    value = {key: item for key, item in spec.items() if key not in ("type", "minutes")}
    value["estimated_minutes"] = spec["minutes"]
    value.setdefault("required", True)
    if "book" in value:
        value["book"] = books[value["book"]].pk
    if "micro_credential" in value:
        value["micro_credential"] = credentials[value["micro_credential"]].pk
    return {"type": spec["type"], "value": value}


def _pathway_ensure(
    index: PathwayIndexPage,
    spec: dict,
    books: dict[str, BookPage],
    credentials: dict[str, MicroCredentialPage],
    earlier: dict[str, PathwayPage],
) -> PathwayPage:
    page = _existing_child(index, spec["slug"])
    if page is not None:
        return page
    required_minutes = sum(step["minutes"] for step in spec["steps"] if step.get("required", True))
    page = PathwayPage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        level=spec["level"],
        outcomes=[{"type": "outcome", "value": outcome} for outcome in spec["outcomes"]],
        estimated_hours=_hours(required_minutes),
        steps=[_step(step, books, credentials) for step in spec["steps"]],
    )
    page.audience_roles = _by_code(AudienceRole, spec["roles"])
    page.alignments = [
        PathwayAlignment(element=element, sort_order=i)
        for i, element in enumerate(_by_code(FrameworkElement, spec["alignments"]))
    ]
    page.prerequisites = [
        PathwayPrerequisite(required_page=earlier.get(slug) or credentials[slug], sort_order=i)
        for i, slug in enumerate(spec["prerequisites"])
    ]
    return _publish_new_child(index, page)


@transaction.atomic
def catalogue_ensure(home: HomePage) -> dict:
    """The demo catalogue under `home`: section pages, then books and micro-credentials, then
    the pathways that point at them. Creates only what is missing; returns every page, made
    or found, as lists under "indexes", "books", "micro_credentials" and "pathways"."""
    pathway_index, credential_index, book_index, framework_index = _index_pages_ensure(home)

    books = {spec["slug"]: _book_ensure(book_index, spec) for spec in BOOKS}
    credentials: dict[str, MicroCredentialPage] = {}
    for spec in MICRO_CREDENTIALS:
        credentials[spec["slug"]] = _micro_credential_ensure(credential_index, spec, credentials)
    pathways: dict[str, PathwayPage] = {}
    for spec in PATHWAYS:
        pathways[spec["slug"]] = _pathway_ensure(pathway_index, spec, books, credentials, pathways)

    return {
        "indexes": [pathway_index, credential_index, book_index, framework_index],
        "books": list(books.values()),
        "micro_credentials": list(credentials.values()),
        "pathways": list(pathways.values()),
    }
