"""Personal data of participatory budgets.

Voting is a public-interest task. The register of who voted is kept apart from the ballots and
deleted after the appeal period; ballots carry no personal data at all, so erasing a person
never changes a counted ballot.
"""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import LegalBasis, ProcessingActivity, register


def export(user) -> dict:
    from parvis.budgets.models import Project, ResidentVerification, VoterRecord

    return {
        "proposals": [
            {"title": p.title, "description": p.description, "status": p.status}
            for p in Project.objects.filter(proposer=user)
        ],
        "supported_projects": list(user.budget_supports.values_list("project_id", flat=True)),
        "followed_projects": list(user.followed_projects.values_list("project_id", flat=True)),
        "resident_verifications": [
            {"territory": str(v.territory), "method": v.method, "birth_year": v.birth_year}
            for v in ResidentVerification.objects.filter(user=user).select_related("territory")
        ],
        # Whether the person voted, never how: ballots are not linked to anyone.
        "voted_in": [str(r.envelope) for r in VoterRecord.objects.filter(user=user)],
    }


def erase(user) -> None:
    """Proposals stay public without their author or their photos; supports, follows and
    verifications go.

    The register entry stays (anonymised: no account) until its own deletion after the appeal
    period, so the same person cannot vote again in a running vote; ballots are untouched.
    """
    from parvis.budgets.models import Project, ProjectPhoto, ResidentVerification, VoterRecord

    for photo in ProjectPhoto.objects.filter(project__proposer=user, update__isnull=True):
        photo.image.delete(save=False)
        photo.delete()
    Project.objects.filter(proposer=user).update(proposer=None)
    user.budget_supports.all().delete()
    user.followed_projects.all().delete()
    ResidentVerification.objects.filter(user=user).delete()
    VoterRecord.objects.filter(user=user).update(user=None)


register(
    ProcessingActivity(
        key="budgets.participatory_budgets",
        name=_("Participatory budgets"),
        purpose=_(
            "Collect residents' proposals, verify that voters live in the territory, organise "
            "a secret vote and follow the realisation of the winning projects."
        ),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Residents who propose, support, vote or follow a project"),),
        data_categories=(
            _("Proposals, their photos, and supports"),
            _("Keyed hash of name and birth date, birth year (residence check)"),
            _("Register of who voted (never how)"),
        ),
        recipients=(_("Agents in charge of the participatory budget"),),
        retention=_(
            "The census list is kept only as keyed hashes until the next campaign; the register "
            "of who voted is deleted two months after the results (appeal period); proposals "
            "stay public."
        ),
        models=(
            "budgets.Project",
            "budgets.ProjectPhoto",
            "budgets.ProjectSupport",
            "budgets.ProjectFollower",
            "budgets.ProjectUpdate",
            "budgets.ResidentVerification",
            "budgets.VoterRecord",
            "budgets.CensusEntry",
            "budgets.PaperBallot",
        ),
        export=export,
        erase=erase,
        security_measures=(
            _("Ballots stored apart from the register, with random ids and no time"),
            _("Keys of the hashes kept outside the database"),
        ),
    )
)
