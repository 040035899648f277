"""Links to many objects of one kind, reversed once, are the links reverse() makes."""

from django.urls import reverse

from cms.links import object_url_maker


def test_each_link_is_the_one_reverse_makes():
    for slug in ("riverside", "district-987654321", "d-1"):
        member = object_url_maker("learning:district_member", slug)
        resend = object_url_maker("learning:district_invitation_resend", slug)
        for pk in (1, 42, 987_654_321, 10**12):
            assert member(pk) == reverse("learning:district_member", args=[slug, pk])
            assert resend(pk) == reverse("learning:district_invitation_resend", args=[slug, pk])
