"""The self-assessment as the learner reads it: each level says what it looks like for the
element, the results show a chart with the same numbers as the table, in plain words, and
the explorer and the self-assessment count a framework's elements the same way."""

import re

import pytest
from django.urls import reverse

from cms.models import Framework, FrameworkElement
from learning import services
from tests.factories import FrameworkIndexPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def take(teacher):
    return services.assessment_start(user=teacher, framework=Framework.objects.get(code="ISTE-E"))


def _fieldset(html: str, element: FrameworkElement) -> str:
    return html.split(f'id="element-{element.pk}"')[1].split("</fieldset>")[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_each_level_choice_says_what_it_looks_like_for_that_element(client, teacher, take):
    client.force_login(teacher)
    html = client.get(reverse("learning:assessment_edit", args=[take.pk])).content.decode()
    analyst = FrameworkElement.objects.get(code="2.7")
    fieldset = _fieldset(html, analyst)
    assert "<legend>" in fieldset and "Analyst</legend>" in fieldset
    labels = re.findall(r"<label class=\"level-choice\" for=\"([^\"]+)\">(.*?)</label>", fieldset)
    assert len(labels) == 4
    for value, (for_id, label) in enumerate(labels):
        # The radio button sits inside its label, named by the level and its description.
        assert f'id="{for_id}"' in label and f'value="{value}"' in label
        assert analyst.descriptor(value) in _text(label)
    assert "1 · Emerging" in _text(labels[1][1])
    assert "You use several kinds of assessment data" in _text(labels[2][1])
    # Another element describes its levels in its own words.
    citizen = _fieldset(html, FrameworkElement.objects.get(code="2.3"))
    assert "You regularly teach students to behave responsibly" in _text(citizen)
    assert "You use several kinds of assessment data" not in citizen


def test_an_element_without_descriptors_falls_back_to_the_scale(client, teacher, take):
    FrameworkElement.objects.filter(code="2.1").update(descriptor_1="")
    client.force_login(teacher)
    html = client.get(reverse("learning:assessment_edit", args=[take.pk])).content.decode()
    learner = _text(_fieldset(html, FrameworkElement.objects.get(code="2.1")))
    assert "1 · Emerging First steps taken or a plan in progress." in learner
    assert "You attend sessions when offered" not in learner


def test_a_chosen_level_stays_checked_after_saving(client, teacher, take):
    analyst = FrameworkElement.objects.get(code="2.7")
    client.force_login(teacher)
    url = reverse("learning:assessment_edit", args=[take.pk])
    client.post(url, {"target_level": "3", f"level_{analyst.pk}": "2", "save": "1"})
    fieldset = _fieldset(client.get(url).content.decode(), analyst)
    checked = re.findall(r'<input[^>]*value="(\d)"[^>]*checked', fieldset)
    assert checked == ["2"]


def _finish(take, levels: dict[str, int]):
    elements = services.assessable_elements(take.framework)
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (levels.get(e.code, 1), "") for e in elements},
        target_level=3,
        complete=True,
    )


def test_results_show_a_chart_with_the_numbers_of_the_table(client, teacher, take):
    _finish(take, {"2.7": 3, "2.3": 0, "2.5": 2})
    client.force_login(teacher)
    html = client.get(reverse("learning:assessment_detail", args=[take.pk])).content.decode()
    chart = html.split('<figure class="rating-chart"')[1].split("</figure>")[0]
    assert "Your ratings against your target of 3" in _text(chart)
    bars = re.findall(r'<svg class="rating-chart__bar"[^>]*role="img" aria-label="([^"]+)"', chart)
    assert len(bars) == 7
    assert "Analyst: 3 of 3, Exemplary; target 3" in bars
    assert "Citizen: 0 of 3, Not evident; target 3" in bars
    text = _text(chart)
    assert "2.7 Analyst 3 Exemplary · at target" in text
    assert "2.3 Citizen 0 Not evident · 3 below target" in text
    assert "2.5 Designer 2 Established · 1 below target" in text
    # The bar's solid part is as long as the rating: two thirds for 2 of 3.
    designer = chart.split("2.5 Designer")[1].split("</li>")[0]
    assert 'class="rating-chart__fill" x="0" y="6" width="66.67%"' in designer
    assert 'class="rating-chart__gap" x="66.67%" y="6" width="33.33%"' in designer
    # The table has the same numbers.
    table = html.split("<table")[1].split("</table>")[0]
    assert "The numbers in the chart above" in table
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', table))
    assert rows["2.7 Analyst"] == "3" and rows["2.3 Citizen"] == "0" and rows["2.5 Designer"] == "2"


def test_results_explain_the_order_in_plain_words(client, teacher, take, catalogue):
    _finish(take, {})
    client.force_login(teacher)
    html = client.get(reverse("learning:assessment_detail", args=[take.pk])).content.decode()
    assert "gap closed per hour" not in html
    assert "what helps most with the areas you rated furthest below your target" in html


def _cards(html: str) -> dict[str, str]:
    """{card title: card text} of a page's cards."""
    cards = {}
    for card in html.split('<li class="card">')[1:]:
        card = _text(card.split("</li>")[0])
        title = re.split(r" (CoSN|ISTE)", card)[0]
        cards[title] = card
    return cards


def test_the_explorer_and_the_self_assessment_count_the_same_elements(client, teacher, catalogue):
    """The CTO framework has ten skills to rate and five core values that are not rated: the
    explorer said 15 and the self-assessment 10."""
    FrameworkIndexPageFactory(parent=catalogue.home)
    client.force_login(teacher)
    explorer = _cards(client.get("/frameworks/").content.decode())
    start = _cards(client.get(reverse("learning:assessment_start")).content.decode())
    frameworks = list(Framework.objects.live())
    assert len(explorer) == len(start) == len(frameworks) == 6
    for framework in frameworks:
        take = services.assessment_start(user=teacher, framework=framework)
        form = client.get(reverse("learning:assessment_edit", args=[take.pk])).content.decode()
        rated = form.count('<fieldset class="rating level-rating')
        phrase = f" {rated} element{'s' if rated != 1 else ''} to rate yourself on"
        assert phrase in explorer[framework.name], (framework.code, explorer[framework.name])
        assert phrase in start[framework.name], (framework.code, start[framework.name])
    cto = explorer["Framework of Essential Skills of the K-12 CTO"]
    assert "10 elements to rate yourself on, and 5 that run through them all" in cto
