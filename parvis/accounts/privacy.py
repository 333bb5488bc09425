"""Personal data held by the accounts app."""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import LegalBasis, ProcessingActivity, register


def export(user) -> dict:
    return {
        "email": user.email,
        "name": user.display_name,
        "joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "preferred_language": user.preferred_language,
        "staff_roles": [
            {"territory": m.territory.name, "role": m.role}
            for m in user.memberships.select_related("territory")
        ],
    }


def erase(user) -> None:
    # The account itself is deleted last by privacy's erasure service (accounts.user_erase);
    # nothing to anonymise before that.
    return None


register(
    ProcessingActivity(
        key="accounts.user_accounts",
        name=_("User accounts"),
        purpose=_(
            "Let residents and staff log in, follow what they submitted and receive notices; "
            "give staff the roles they need on their territory."
        ),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Residents with an account"), _("Staff of the collectivités")),
        data_categories=(
            _("Email address"),
            _("Display name (optional)"),
            _("Password hash and second-factor secrets"),
            _("Login dates"),
            _("Staff roles"),
        ),
        recipients=(_("Platform administrators of the collectivité"),),
        retention=_("Until the account is deleted; accounts unused for 3 years are deleted."),
        models=(
            "accounts.User",
            "accounts.Membership",
            "account.EmailAddress",
            "account.EmailConfirmation",
            "mfa.Authenticator",
            "socialaccount.SocialAccount",
            "socialaccount.SocialToken",
        ),
        export=export,
        erase=erase,
        security_measures=(
            _("Passwords hashed"),
            _("Two-factor authentication mandatory for staff"),
            _("Lockout after repeated failed logins"),
        ),
    )
)
