"""Writes of participation: processes and their phases."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parvis.core.audit import AuditAction, audit
from parvis.participation.choices import Action
from parvis.participation.models import Comment, ParticipatoryProcess, Phase


@transaction.atomic
def process_create(
    *, territory, slug: str, title: str, summary: str, phases: list[dict], is_published: bool = True
) -> ParticipatoryProcess:
    """Create a process with its phases (dicts of Phase fields), validated together."""
    process = ParticipatoryProcess(
        territory=territory, slug=slug, title=title, summary=summary, is_published=is_published
    )
    process.full_clean()
    process.save()
    for fields in phases:
        phase = Phase(process=process, **fields)
        phase.full_clean()
        phase.save()
    return process


@transaction.atomic
def comment_post(*, process: ParticipatoryProcess, target, author, text: str) -> Comment:
    """Publish a resident's comment on `target` while the current phase allows comments."""
    if not process.allows(Action.COMMENT):
        raise ValidationError(_("Comments are not open in this phase."))
    comment = Comment(
        territory_id=process.territory_id,
        process=process,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        author=author,
        text=text.strip(),
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, moderator, reason: str) -> Comment:
    """Hide a comment from the public with a reason; audited. The caller checked moderation."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the comment is hidden.")})
    comment.is_hidden, comment.hidden_reason = True, reason.strip()
    comment.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    audit(
        actor=moderator,
        action=AuditAction.STAFF_ACTION,
        verb="comment hidden",
        target=comment,
        subject=comment.author,
        territory=comment.territory,
        detail={"reason": comment.hidden_reason},
    )
    return comment


def comment_list_public(*, target) -> list[Comment]:
    """Comments on `target`, oldest first, with their authors (hidden ones are shown as such)."""
    return list(
        Comment.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        )
        .select_related("author")
        .order_by("created_at")
    )
