"""Forms of incident reporting. Validation messages say what to do, never just "invalid"."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parvis.core.images import MultiplePhotoField
from parvis.reports.choices import OPEN_STATUSES, Priority, ReportStatus, UpdateChannel
from parvis.reports.models import Category, ReportingSettings, ResponseTemplate
from parvis.reports.selectors import ReportFilters
from parvis.territories.selectors import territory_scope_ids


class PlaceForm(forms.Form):
    """Step 1: where, and what kind of problem. Works with or without the map."""

    territory = forms.ModelChoiceField(
        queryset=None, label=_("Commune"), empty_label=_("Choose the commune")
    )
    category = forms.ModelChoiceField(
        queryset=None, label=_("Kind of problem"), empty_label=_("Choose a kind of problem")
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Filled in when you click on the map or use your position."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    place = forms.CharField(
        label=_("Address or description of the place"),
        required=False,
        max_length=300,
        help_text=_("For example: in front of 12 rue des Lilas, or: the bench by the pond."),
    )

    def __init__(self, *args, territories, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{c.group} — {c.name}"

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_point and not (data.get("place") or "").strip():
            raise forms.ValidationError(
                _(
                    "Say where the problem is: click on the map, or type an address or a "
                    "description of the place."
                ),
                code="no_place",
            )
        category, territory = data.get("category"), data.get("territory")
        if (
            category
            and territory
            and category.territory_id
            not in {
                territory.pk,
                territory.parent_id,
            }
        ):
            self.add_error("category", _("This kind of problem is not handled in this commune."))
        return data


class DetailsForm(forms.Form):
    """Step 2: what is wrong, with up to three photos."""

    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    photos = MultiplePhotoField(
        label=_("Photos (up to 3)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 10 MB at most each. Their location data is removed."),
    )
    show_name = forms.BooleanField(label=_("Show my name publicly with the report"), required=False)


class AssistedReporterForm(forms.Form):
    """For an agent filing a report for a resident at the counter or on the phone."""

    reporter_name = forms.CharField(label=_("Name of the resident"), max_length=150)
    update_channel = forms.ChoiceField(
        label=_("Updates by"), choices=UpdateChannel.choices, initial=UpdateChannel.SMS
    )
    reporter_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    reporter_email = forms.EmailField(label=_("Email"), required=False)
    reporter_address = forms.CharField(
        label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    consent = forms.BooleanField(
        label=_("The resident agrees to be contacted about this report by the chosen channel"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        channel = data.get("update_channel")
        needed = {
            UpdateChannel.SMS: ("reporter_phone", _("Give a phone number for SMS updates.")),
            UpdateChannel.EMAIL: ("reporter_email", _("Give an email address for updates.")),
            UpdateChannel.POST: ("reporter_address", _("Give a postal address for updates.")),
        }.get(channel)
        if needed and not data.get(needed[0]):
            self.add_error(needed[0], needed[1])
        if channel != UpdateChannel.NONE and not data.get("consent"):
            self.add_error("consent", _("Updates can only be sent with the resident's consent."))
        return data


class FixCheckForm(forms.Form):
    fixed = forms.TypedChoiceField(
        label=_("Is the problem fixed?"),
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is still there"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublicFilterForm(forms.Form):
    territory = forms.ModelChoiceField(
        queryset=None, label=_("Commune"), required=False, empty_label=_("All communes")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("closed", _("Closed"))],
    )
    category = forms.ModelChoiceField(
        queryset=None, label=_("Kind of problem"), required=False, empty_label=_("All")
    )

    def __init__(self, *args, territories, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["category"].queryset = categories


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("closed", _("Closed")),
            *ReportStatus.choices,
        ],
        initial="open",
    )
    # Ids and names (queue_filter_choices, cached): no model instance to build or look up.
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    district = forms.TypedChoiceField(
        label=_("District"), required=False, coerce=int, empty_value=None
    )
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *Priority.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    ordering = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Deadline")),
            ("-created", _("Newest")),
            ("created", _("Oldest")),
            ("-priority", _("Priority")),
        ],
    )

    def __init__(self, *args, choices: dict[str, list[tuple[int, str]]], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "district", "department"):
            self.fields[name].choices = [("", _("All")), *choices[name]]

    def to_filters(self) -> tuple[ReportFilters, str]:
        """The selector's filters and ordering; open reports by deadline when invalid."""
        if not self.is_valid():
            return ReportFilters(status="open"), "due"
        data = self.cleaned_data
        return ReportFilters(
            status=data.get("status") or "",
            category=data.get("category"),
            district=data.get("district"),
            department=data.get("department"),
            priority=data.get("priority"),
            overdue=bool(data.get("overdue")),
        ), data.get("ordering") or "due"


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=ReportStatus.choices)
    public_note = forms.CharField(
        label=_("Message to the public (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(
        label=_("Public update (followers are notified)"),
        required=False,
        help_text=_("Unchecked: an internal note, seen only by staff."),
    )
    photos = MultiplePhotoField(label=_("Photos of the repair (optional)"), required=False)


def _set_status(status: ReportStatus) -> str:
    return gettext("Set status: %(status)s") % {"status": status.label}


# Translated when shown, in the page's language (a `%` at import would freeze one language).
_set_status_label = lazy(_set_status, str)


class BulkForm(forms.Form):
    reports = forms.ModelMultipleChoiceField(queryset=None, label=_("Reports"))
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", _("Choose an action")),
            *[
                (f"status:{status}", _set_status_label(status))
                for status in ReportStatus
                if status in OPEN_STATUSES or status == "resolved"
            ],
            ("assign_me", _("Assign to me")),
        ],
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = reports


class StaffTransitionForm(TransitionForm):
    template = forms.ModelChoiceField(
        queryset=None,
        label=_("Or use a response template"),
        required=False,
        empty_label=_("No template"),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates

    def clean(self):
        data = super().clean()
        if data.get("template") and not (data.get("public_note") or "").strip():
            data["public_note"] = data["template"].text
        return data


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=None, label=_("Assign to"), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents


class RecategoriseForm(forms.Form):
    category = forms.ModelChoiceField(queryset=None, label=_("New category"))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class MoveForm(forms.Form):
    department = forms.ModelChoiceField(queryset=None, label=_("Department"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the report it duplicates"),
        min_value=1,
        help_text=_("This report is closed as a duplicate; its followers follow the other."),
    )


class RedactForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=300)


class HidePhotoForm(forms.Form):
    photo = forms.ModelChoiceField(queryset=None, label=_("Photo"))
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=300)

    def __init__(self, *args, photos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].queryset = photos


# --- Configuration by the territory's administrators -----------------------------------


class CategoryForm(forms.ModelForm):
    """A category of the territory: what residents can report, who handles it, how fast."""

    class Meta:
        model = Category
        fields = [
            "group",
            "name",
            "description",
            "department",
            "sla_hours",
            "default_priority",
            "anonymous_by_default",
            "service_code",
            "is_active",
        ]
        help_texts = {
            "group": _("Categories of a group are listed together, e.g. Roads or Lighting."),
            "sla_hours": _(
                "Time allowed from report to resolution. A change applies to reports filed "
                "after it; reports already filed keep their deadline."
            ),
            "service_code": _(
                "Its identifier for Open311 applications: lower-case letters, digits and "
                "hyphens, e.g. street-light. Changing it breaks the applications that use it."
            ),
            "is_active": _("Untick to stop new reports in this category; past reports keep it."),
        }

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = _("Choose the department")
        self.fields["sla_hours"].validators.append(MinValueValidator(1))
        self.fields["sla_hours"].widget.attrs["min"] = 1

    def clean_service_code(self) -> str:
        """Unique where Open311 lists it: a commune's services include its EPCI's."""
        code = self.cleaned_data["service_code"]
        territory = self.instance.territory
        shared = territory_scope_ids(territory=territory) | {territory.parent_id}
        others = Category.objects.filter(territory_id__in=shared - {None}, service_code=code)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Another category offered here has this code: choose another one.")
            )
        return code


class ResponseTemplateForm(forms.ModelForm):
    """A ready-made public answer, for a status and, optionally, one category."""

    class Meta:
        model = ResponseTemplate
        fields = ["title", "status", "category", "text"]
        help_texts = {
            "title": _("What agents see in the list of answers."),
            "category": _("Leave empty to offer it for every category."),
            "text": _("Sent to the reporter and followers, and shown on the public page."),
        }

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["category"].empty_label = _("Every category")


class ReportingSettingsForm(forms.ModelForm):
    """How long personal data is kept, when to ask "is it fixed?", how far to look for
    similar reports."""

    class Meta:
        model = ReportingSettings
        fields = ["contact_retention_days", "fix_check_after_days", "duplicate_radius_m"]
        help_texts = {
            "contact_retention_days": _(
                "After a report is closed, the reporter's contact details and the photos are "
                "deleted after this many days (between 30 and 1,095)."
            ),
            "fix_check_after_days": _("Between 1 and 180 days."),
            "duplicate_radius_m": _(
                "Open reports of the same category within this distance are shown before a "
                "new one is filed (between 10 and 2,000 m)."
            ),
        }

    LIMITS = {
        "contact_retention_days": (30, 1095),
        "fix_check_after_days": (1, 180),
        "duplicate_radius_m": (10, 2000),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})


class Open311ClientForm(forms.Form):
    """An application allowed to file reports through Open311 (its key is generated)."""

    name = forms.CharField(
        label=_("Application"),
        max_length=150,
        help_text=_("As residents know it, e.g. the town's app or a FixMyStreet instance."),
    )
    contact_email = forms.EmailField(
        label=_("Developer contact"),
        help_text=_("Who to warn when the key is revoked or the API changes."),
    )
