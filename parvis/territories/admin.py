from django.contrib import admin

from parvis.territories.models import Department, District, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "insee_code", "siren", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "insee_code", "siren"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "territory"]
    list_filter = ["territory"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "territory", "is_active"]
    list_filter = ["territory", "is_active"]
