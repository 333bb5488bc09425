from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from parvis.core.models import FailedTask
from parvis.core.tasks import failed_task_replay


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "task_name", "error", "replay_count", "replayed_at"]
    search_fields = ["task_name", "error"]
    readonly_fields = [f.name for f in FailedTask._meta.fields if f.name != "message"]
    exclude = ["message"]
    actions = ["replay"]

    @admin.action(description=_("Replay the selected jobs"))
    def replay(self, request, queryset):
        for failed in queryset:
            failed_task_replay(failed_task=failed)
        messages.success(request, _("%(count)d jobs queued again.") % {"count": queryset.count()})

    def has_add_permission(self, request) -> bool:
        return False
