"""Forms of participatory budgets. Validation messages say what to do, never just "invalid"."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from parvis.budgets.models import BallotType, ProjectStatus, RealisationStatus
from parvis.core.images import MultiplePhotoField

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
CENSUS_MAX_BYTES = 20 * 1024 * 1024


class ProjectFilterForm(forms.Form):
    envelope = forms.ModelChoiceField(
        queryset=None, label=_("Envelope"), required=False, empty_label=_("All envelopes")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("ballot", _("On the ballot")), *ProjectStatus.choices],
    )

    def __init__(self, *args, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = envelopes


class ProposalForm(forms.Form):
    envelope = forms.ModelChoiceField(
        queryset=None,
        label=_("Envelope"),
        empty_label=_("Choose the city-wide envelope or a district"),
        help_text=_("A project for one district goes to its district's envelope."),
    )
    title = forms.CharField(label=_("Title of the project"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What you propose, for whom, and why."),
    )
    place = forms.CharField(
        label=_("Place (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example: the square in front of the school, rue des Lilas."),
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Filled in when you click on the map."),
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180
    )
    photos = MultiplePhotoField(
        label=_("Photos (optional, 3 at most)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 10 MB each; their metadata (GPS position...) is removed."),
    )

    def __init__(self, *args, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = envelopes

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(
                _("Give both the latitude and the longitude, or neither."), code="half_point"
            )
        return data


class IdentityForm(forms.Form):
    """A person's identity as the census list writes it."""

    family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        help_text=_("Day, month and year, for example 1986-03-14."),
        error_messages={"invalid": _("Write the birth date as year-month-day: 1986-03-14.")},
    )

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > dt.date.today():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        return birth_date


class BallotForm(forms.Form):
    """A ballot of an envelope: checkboxes (approval, k-approval) or points (cumulative).

    The form only reads what was ticked or typed; the ballot rules (costs within the envelope,
    number of projects, points) are checked by `services.ballot_check`, whose message the page
    shows.
    """

    def __init__(self, *args, budget, projects, current: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget, self.projects = budget, projects
        self.cumulative = budget.ballot_type == BallotType.CUMULATIVE
        current = current or {}
        if self.cumulative:
            for project in projects:
                self.fields[f"points_{project.pk}"] = forms.IntegerField(
                    label=project.title,
                    required=False,
                    min_value=0,
                    max_value=budget.points,
                    initial=current.get(str(project.pk), 0),
                    error_messages={
                        "invalid": _("Points are whole numbers."),
                        "min_value": _("Points cannot be negative."),
                        "max_value": _("At most %(limit_value)s points."),
                    },
                )
        else:
            self.fields["projects"] = forms.TypedMultipleChoiceField(
                label=_("Projects"),
                required=False,
                coerce=int,
                choices=[(project.pk, project.title) for project in projects],
                initial=[int(pk) for pk in current],
                widget=forms.CheckboxSelectMultiple,
            )

    def choices(self) -> dict[int, int]:
        """Project id -> points (1 per ticked project), from valid data."""
        if self.cumulative:
            return {
                project.pk: self.cleaned_data.get(f"points_{project.pk}") or 0
                for project in self.projects
            }
        return dict.fromkeys(self.cleaned_data.get("projects", []), 1)

    def rows(self) -> list[dict]:
        """What the ballot shows per project: its field's name, id, and what is ticked/typed."""
        ticked = set()
        if not self.cumulative:
            values = (
                self.data.getlist(self.add_prefix("projects"))
                if self.is_bound
                else self.fields["projects"].initial
            )
            ticked = {str(value) for value in values}
        rows = []
        for project in self.projects:
            row = {"project": project, "id": f"id_{self.add_prefix('project')}-{project.pk}"}
            if self.cumulative:
                bound = self[f"points_{project.pk}"]
                row.update(field=bound, id=bound.id_for_label, value=bound.value())
            else:
                row.update(name=self.add_prefix("projects"), checked=str(project.pk) in ticked)
            rows.append(row)
        return rows


class PaperBallotForm(BallotForm):
    """A paper ballot as an agent types it, with where it comes from."""

    batch = forms.CharField(
        label=_("Batch or ballot box"),
        max_length=60,
        help_text=_("As written on the batch, for example: mairie-1."),
    )
    number = forms.IntegerField(label=_("Number of the ballot in the batch"), min_value=1)

    field_order = ["batch", "number"]


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ProjectStatus.FEASIBLE, _("Feasible: on the ballot, at the cost below")),
            (ProjectStatus.UNFEASIBLE, _("Not feasible, for the public reason below")),
            (ProjectStatus.MERGED, _("Merged into another project")),
        ],
        widget=forms.RadioSelect,
    )
    cost = forms.IntegerField(label=_("Estimated cost (euros)"), min_value=1, required=False)
    public_reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the project's page. Required when the project is not feasible."),
    )
    merged_into = forms.IntegerField(
        label=_("Number of the project it merges into"), min_value=1, required=False
    )

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == ProjectStatus.FEASIBLE and not data.get("cost"):
            self.add_error("cost", _("Give the estimated cost of a feasible project."))
        if status == ProjectStatus.UNFEASIBLE and not (data.get("public_reason") or "").strip():
            self.add_error(
                "public_reason", _("Explain to the public why the project is not feasible.")
            )
        if status == ProjectStatus.MERGED and not data.get("merged_into"):
            self.add_error("merged_into", _("Give the number of the project it merges into."))
        return data


class CheckInForm(IdentityForm):
    """At the polling station: who the person is, which envelope they vote in."""

    envelope = forms.ModelChoiceField(
        queryset=None, label=_("Envelope"), empty_label=_("Choose the envelope")
    )
    papers_checked = forms.BooleanField(
        label=_("I have seen an identity document and a proof of address in the territory"),
        error_messages={"required": _("Check the person's papers before signing them in.")},
    )

    field_order = ["envelope", "family_name", "first_name", "birth_date", "papers_checked"]

    def __init__(self, *args, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = envelopes
        for name in ("family_name", "first_name", "birth_date"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Census list (CSV file)"),
        help_text=_(
            "One person per line: family name;first name;birth date (YYYY-MM-DD), and "
            "optionally ;district code (so that district envelopes are voted by their "
            "residents), UTF-8. The file is read, never stored: only keyed hashes are kept."
        ),
    )

    def clean_file(self) -> list[tuple[str, str, dt.date, str]]:
        upload = self.cleaned_data["file"]
        if upload.size > CENSUS_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        return census_rows(text)


def census_rows(text: str) -> list[tuple[str, str, dt.date, str]]:
    """The rows of a census CSV (the district code is "" when not given); raises
    ValidationError naming the first wrong line.

    A first line whose third cell is no date and holds no digit is taken as a header.
    """
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) not in (3, 4):
            raise _line_error(
                number,
                _("expected 3 or 4 cells separated by “;”, found %(n)d.") % {"n": len(cells)},
            )
        family, first, birth, district = (*cells, "")[:4]
        try:
            birth_date = dt.date.fromisoformat(birth)
        except ValueError:
            if not rows and number == 1 and not any(char.isdigit() for char in birth):
                continue  # a header
            raise _line_error(
                number,
                _("the birth date “%(value)s” is not written YYYY-MM-DD.") % {"value": birth},
            ) from None
        if not family or not first:
            raise _line_error(number, _("the family name and the first name are required."))
        if birth_date > dt.date.today():
            raise _line_error(number, _("the birth date is in the future."))
        rows.append((family, first, birth_date, district))
    if not rows:
        raise forms.ValidationError(_("The file holds nobody."))
    return rows


def _line_error(number: int, reason: str) -> forms.ValidationError:
    return forms.ValidationError(
        _("Line %(line)d: %(reason)s Nothing was imported.") % {"line": number, "reason": reason},
        code="census_line",
    )


class ProjectUpdateForm(forms.Form):
    realisation = forms.ChoiceField(label=_("Stage"), choices=RealisationStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    spent = forms.IntegerField(label=_("Spent so far (euros)"), min_value=0)
    text = forms.CharField(
        label=_("Public update"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Published on the project's page; its followers are told."),
    )
    photos = MultiplePhotoField(label=_("Photos of the works (optional)"), required=False)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public, under your display name. 3,000 characters at most."),
    )


class CommentHideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=200)
