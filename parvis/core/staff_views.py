"""Platform operators' screens: failed background jobs and their replay."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.models import FailedTask
from parvis.core.scoping import get_object_for_user_or_404
from parvis.core.tasks import failed_task_replay


@login_required
def failed_task_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.replay_failed_task"):
        raise Http404
    page = Paginator(FailedTask.objects.order_by("-failed_at"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/failed_task_list.html", {"page": page})


@login_required
@require_POST
def failed_task_replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    failed = get_object_for_user_or_404(
        request.user, "core.replay_failed_task", FailedTask.objects.all(), pk=pk
    )
    failed_task_replay(failed_task=failed)
    messages.success(request, _("The job has been queued again."))
    return redirect("core:failed_tasks")
