"""What the CMS (Wagtail) holds about a person, for the download and for deleting the account
(see `accounts.data_rights`). Editors' work on Leap's content (pages, revisions, images,
moderation) is the site's, not the editor's: it stays, without the link to the account."""

from wagtail.models import Comment, CommentReply, PageSubscription
from wagtail.users.models import UserProfile

from accounts.data_rights import Section, SectionData
from accounts.models import User

PREFERENCES = (
    "submitted_notifications",
    "approved_notifications",
    "rejected_notifications",
    "updated_comments_notifications",
    "preferred_language",
    "current_time_zone",
    "theme",
    "contrast",
    "density",
    "keyboard_shortcuts",
)


def _editing(user: User) -> SectionData:
    comments = Comment.objects.filter(user=user).select_related("page").order_by("created_at")
    replies = CommentReply.objects.filter(user=user).select_related("comment__page")
    subscriptions = PageSubscription.objects.filter(user=user).select_related("page")
    return SectionData(
        records=[
            {
                "cms_preferences": UserProfile.objects.filter(user=user)
                .values(*PREFERENCES)
                .first(),
                "comments": [
                    {"page": c.page.title, "text": c.text, "written": c.created_at}
                    for c in comments
                ],
                "replies": [
                    {"page": r.comment.page.title, "text": r.text, "written": r.created_at}
                    for r in replies.order_by("created_at")
                ],
                "page_subscriptions": [
                    {"page": s.page.title, "comment_notifications": s.comment_notifications}
                    for s in subscriptions
                ],
            }
        ]
    )


SECTIONS = [
    Section(
        name="cms",
        about="for editors: your CMS preferences, comments and replies on pages, subscriptions",
        models=(
            "wagtailusers.UserProfile",
            "wagtailcore.Comment",
            "wagtailcore.CommentReply",
            "wagtailcore.PageSubscription",
        ),
        export=_editing,
    ),
]

_CONTENT = (
    "Leap's content, which an editor created, locked or changed: the site's record, not "
    "about the person; kept, without the link to the account"
)

NOT_EXPORTED = {
    **dict.fromkeys(
        [
            "wagtailcore.Page",
            "cms.HomePage",
            "cms.StandardPage",
            "cms.PathwayIndexPage",
            "cms.PathwayPage",
            "cms.MicroCredentialIndexPage",
            "cms.MicroCredentialPage",
            "cms.BookIndexPage",
            "cms.BookPage",
            "cms.FrameworkIndexPage",
            "cms.Framework",
            "cms.FrameworkCategory",
            "cms.FrameworkElement",
            "wagtailcore.Revision",
            "wagtailcore.PageLogEntry",
            "wagtailcore.ModelLogEntry",
            "wagtailcore.WorkflowState",
            "wagtailcore.TaskState",
            "wagtailcore.UploadedFile",
            "wagtailimages.Image",
            "wagtaildocs.Document",
        ],
        _CONTENT,
    ),
    "wagtailadmin.EditingSession": "who has a page open in the CMS at this moment: gone in "
    "minutes, and with the account",
    "wagtailadmin.FormState": "a CMS form's unsaved state while an editor works on it: "
    "deleted with the account",
    "wagtailcore.APIToken": "a key to Wagtail's API: a secret, deleted with the account",
}


def erase(*, user: User, revoke_badges: bool) -> list:
    """Comments, replies, subscriptions and preferences go with the account; content stays."""
    return []
