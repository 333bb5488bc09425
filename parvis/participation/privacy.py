"""Personal data of participation: comments."""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import LegalBasis, ProcessingActivity, register


def export(user) -> dict:
    from parvis.participation.models import Comment

    return {
        "comments": [
            {"process": str(c.process), "text": c.text, "created_at": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=user).select_related("process")
        ]
    }


def erase(user) -> None:
    """Comments stay in the public debate without their author's name."""
    from parvis.participation.models import Comment

    Comment.objects.filter(author=user).update(author=None)


register(
    ProcessingActivity(
        key="participation.comments",
        name=_("Comments in participatory processes"),
        purpose=_("Let residents discuss proposals and projects in public."),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Residents who comment"),),
        data_categories=(_("Comment text, display name of the author"),),
        recipients=(_("The public"), _("Moderators")),
        retention=_("As long as the process is published; the author's name goes on erasure."),
        models=("participation.Comment",),
        export=export,
        erase=erase,
    )
)
