from django.contrib import admin

from parvis.privacy.models import AuditEntry, ConsentRecord


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "verb", "territory", "subject_label"]
    list_filter = ["action", "territory"]
    search_fields = ["actor_label", "subject_label", "verb"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "purpose", "state", "method", "territory"]
    list_filter = ["purpose", "state", "method"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
