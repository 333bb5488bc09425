from django import forms
from django.utils.translation import gettext_lazy as _

from parvis.accounts.choices import Role
from parvis.accounts.models import User


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person"),
        help_text=_("The person must already have an account."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].lower()
        try:
            return User.objects.get(email=email, is_active=True)
        except User.DoesNotExist:
            raise forms.ValidationError(
                _("No active account uses this address. Ask the person to sign up first."),
                code="unknown_user",
            ) from None
