from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentForm(forms.Form):
    purpose = forms.CharField(widget=forms.HiddenInput)
    give = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AccountEraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("To confirm, type your email address"),
        help_text=_("This cannot be undone."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != self.user.email.lower():
            raise forms.ValidationError(
                _("This is not the email address of your account."), code="mismatch"
            )
        return value
