"""Writes of participatory budgets: verification, ballots (online and paper), tally, realisation.

Services assume the caller authorised the actor (views check the permission rules).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.budgets.events import project_updated
from parvis.budgets.models import (
    Ballot,
    BallotType,
    Budget,
    CensusEntry,
    Envelope,
    PaperBallot,
    Project,
    ProjectFollower,
    ProjectStatus,
    ProjectSupport,
    ProjectUpdate,
    ResidentVerification,
    VoterRecord,
)
from parvis.budgets.tally.election import Ballot as TallyBallot
from parvis.budgets.tally.election import Election
from parvis.budgets.tally.election import Project as TallyProject
from parvis.budgets.tally.rules import TallyOutcome, tally
from parvis.core.audit import AuditAction, audit
from parvis.participation.choices import Action
from parvis.territories.selectors import district_list


def _key(purpose: str) -> bytes:
    """A key derived from the platform secrets for one purpose (outside the database)."""
    master = (settings.PARVIS_PSEUDONYM_KEYS or [settings.SECRET_KEY])[0].encode()
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.upper().replace("-", " ").replace("'", " ").split())


def identity_digest(*, territory, family_name: str, first_name: str, birth_date: dt.date) -> str:
    """Keyed hash of a person's identity in a territory (the census list's form)."""
    message = f"{territory.pk}|{_normalise(family_name)}|{_normalise(first_name)}|{birth_date}"
    return hmac.new(_key("budgets.census"), message.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def census_upload(*, territory, rows: list[tuple], actor) -> int:
    """Replace the territory's census list with `rows`: (family name, first name, birth date)
    or (family name, first name, birth date, district code).

    Only keyed hashes, birth years and districts are stored; the list itself is not kept.
    Raises ValidationError, storing nothing, when a district code is not one of the territory's.
    """
    districts = {
        district.code: district.pk
        for district in district_list(territory=territory, with_area=False)
    }
    placed = [(family, first, birth, (rest or [""])[0]) for family, first, birth, *rest in rows]
    unknown = sorted({code for *_person, code in placed if code} - districts.keys())
    if unknown:
        raise ValidationError(
            _("Unknown district code(s) for %(territory)s: %(codes)s.")
            % {"territory": territory, "codes": ", ".join(unknown)}
        )
    CensusEntry.objects.filter(territory=territory).delete()
    entries = {
        identity_digest(territory=territory, family_name=f, first_name=g, birth_date=b): (
            b.year,
            districts.get(code),
        )
        for f, g, b, code in placed
    }
    CensusEntry.objects.bulk_create(
        CensusEntry(territory=territory, digest=digest, birth_year=year, district_id=district)
        for digest, (year, district) in entries.items()
    )
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="census list uploaded",
        territory=territory,
        detail={"entries": len(entries)},
    )
    return len(entries)


class VerificationError(ValidationError):
    pass


@transaction.atomic
def resident_verify_by_census(
    *, user, territory, family_name: str, first_name: str, birth_date: dt.date
) -> ResidentVerification:
    """Verify an online resident against the census list (Decidim's way)."""
    digest = identity_digest(
        territory=territory, family_name=family_name, first_name=first_name, birth_date=birth_date
    )
    entry = CensusEntry.objects.filter(territory=territory, digest=digest).first()
    if entry is None:
        raise VerificationError(
            _("These details are not on the census list of %(territory)s.")
            % {"territory": territory}
        )
    return _verification_save(
        user=user, territory=territory, identity=digest, birth_year=entry.birth_year,
        method=ResidentVerification.Method.CENSUS, verified_by=None, district=entry.district_id,
    )  # fmt: skip


@transaction.atomic
def resident_verify_in_person(
    *, agent, territory, family_name: str, first_name: str, birth_date: dt.date, user=None
) -> ResidentVerification:
    """An agent checked a resident's papers at the counter (the resident may have no account)."""
    digest = identity_digest(
        territory=territory, family_name=family_name, first_name=first_name, birth_date=birth_date
    )
    verification = _verification_save(
        user=user, territory=territory, identity=digest, birth_year=birth_date.year,
        method=ResidentVerification.Method.IN_PERSON, verified_by=agent,
    )  # fmt: skip
    audit(
        actor=agent,
        action=AuditAction.STAFF_ACTION,
        verb="resident verified in person",
        target=verification,
        subject=user,
        territory=territory,
    )
    return verification


def _verification_save(
    *, user, territory, identity, birth_year, method, verified_by, district=None
):
    taken = ResidentVerification.objects.filter(territory=territory, identity=identity)
    if user is not None:
        taken = taken.exclude(user=user).exclude(user__isnull=True)
        if taken.exists():
            raise VerificationError(_("This person is already verified with another account."))
        verification, _created = ResidentVerification.objects.update_or_create(
            territory=territory,
            user=user,
            defaults={
                "identity": identity,
                "birth_year": birth_year,
                "method": method,
                "verified_by": verified_by,
                "district_id": district,
            },
        )
        return verification
    return ResidentVerification.objects.create(
        territory=territory, identity=identity, birth_year=birth_year, method=method,
        verified_by=verified_by, district_id=district,
    )  # fmt: skip


class BallotError(ValidationError):
    pass


def ballot_check(*, envelope: Envelope, choices: dict[int, int]) -> dict[str, int]:
    """Validate a ballot's choices against the budget's ballot rules; returns the stored form."""
    budget = envelope.budget
    projects = {
        project.pk: project for project in envelope.projects.filter(status=ProjectStatus.FEASIBLE)
    }
    unknown = set(choices) - set(projects)
    if unknown:
        raise BallotError(_("Some chosen projects are not on this ballot."))
    chosen = {pk: points for pk, points in choices.items() if points > 0}
    if not budget.min_projects <= len(chosen) <= budget.max_projects:
        raise BallotError(
            _("Choose between %(min)d and %(max)d projects.")
            % {"min": budget.min_projects, "max": budget.max_projects}
        )
    if budget.ballot_type == BallotType.CUMULATIVE:
        if sum(chosen.values()) > budget.points:
            raise BallotError(_("You have %(points)d points to share.") % {"points": budget.points})
    else:
        chosen = dict.fromkeys(chosen, 1)
        if budget.ballot_type == BallotType.APPROVAL:
            total = sum(projects[pk].cost or 0 for pk in chosen)
            if total > envelope.amount:
                raise BallotError(
                    _("Your projects cost %(total)s €, more than the envelope of %(amount)s €.")
                    % {"total": total, "amount": envelope.amount}
                )
    return {str(pk): points for pk, points in sorted(chosen.items())}


def _ballot_key(*, envelope: Envelope, user) -> str:
    message = f"{envelope.pk}|{user.pk}".encode()
    return hmac.new(_key("budgets.ballots"), message, hashlib.sha256).hexdigest()


def voter_eligibility(*, user, envelope: Envelope) -> ResidentVerification:
    """The voter's verification for the envelope's territory, or BallotError saying why not."""
    budget = envelope.budget
    verification = ResidentVerification.objects.filter(
        territory=budget.territory, user=user
    ).first()
    if verification is None:
        raise BallotError(_("Verify that you live in %(t)s first.") % {"t": budget.territory})
    if timezone.now().year - verification.birth_year < budget.min_age:
        raise BallotError(_("This vote is open from %(age)d years old.") % {"age": budget.min_age})
    # A district's envelope is for its residents, when the census list says where people live
    # (a list without districts leaves every verified resident free to choose, as before).
    if envelope.district_id and verification.district_id not in (None, envelope.district_id):
        raise BallotError(
            _("This envelope is for the residents of %(district)s.")
            % {"district": envelope.district}
        )
    return verification


@transaction.atomic
def ballot_cast(*, user, envelope: Envelope, choices: dict[int, int]) -> Ballot:
    """Cast or replace a verified resident's ballot while the vote phase is open.

    The voter is written to the register (who voted), the ballot apart (what was voted); the
    ballot is found again only through the keyed hash of (envelope, voter).
    """
    if not envelope.budget.process.allows(Action.VOTE):
        raise BallotError(_("The vote is not open."))
    verification = voter_eligibility(user=user, envelope=envelope)
    stored = ballot_check(envelope=envelope, choices=choices)
    record = VoterRecord.objects.filter(envelope=envelope, identity=verification.identity).first()
    if record is not None and record.user_id != user.pk:
        raise BallotError(_("This person has already voted on paper."))
    if record is None:
        VoterRecord.objects.create(
            envelope=envelope, identity=verification.identity, user=user, channel="online"
        )
    ballot, _created = Ballot.objects.update_or_create(
        envelope=envelope,
        key=_ballot_key(envelope=envelope, user=user),
        defaults={"choices": stored},
    )
    return ballot


def ballot_of(*, user, envelope: Envelope) -> Ballot | None:
    """The voter's own ballot (only the voter, logged in, can compute its key)."""
    return Ballot.objects.filter(
        envelope=envelope, key=_ballot_key(envelope=envelope, user=user)
    ).first()


@transaction.atomic
def paper_voter_register(*, agent, envelope: Envelope, verification: ResidentVerification) -> None:
    """At the polling station: the agent signs the verified person in the register."""
    if VoterRecord.objects.filter(envelope=envelope, identity=verification.identity).exists():
        raise BallotError(_("This person has already voted."))
    VoterRecord.objects.create(
        envelope=envelope, identity=verification.identity, user=verification.user, channel="paper"
    )


def paper_ballot_enter(
    *, agent, envelope: Envelope, batch: str, number: int, choices: dict[int, int]
) -> PaperBallot:
    """First or second typing of a paper ballot (two-agent check).

    The first agent's typing is kept pending; a second, different agent types the same ballot:
    when both agree, the ballot is counted; when they differ, it is flagged for a supervisor
    (the flag is committed, then BallotError raised).
    """
    stored = ballot_check(envelope=envelope, choices=choices)
    with transaction.atomic():
        paper = (
            PaperBallot.objects.select_for_update()
            .filter(envelope=envelope, batch=batch, number=number)
            .first()
        )
        if paper is None:
            try:
                with transaction.atomic():
                    return PaperBallot.objects.create(
                        envelope=envelope, batch=batch, number=number, choices=stored,
                        entered_by=agent,
                    )  # fmt: skip
            except IntegrityError:
                raise BallotError(_("This ballot was just entered by someone else.")) from None
        if paper.confirmed_by_id:
            raise BallotError(_("This ballot is already counted."))
        if paper.entered_by_id == agent.pk:
            raise BallotError(_("A second agent must confirm this ballot."))
        differs = paper.choices != stored
        if differs:
            paper.mismatch = True
            paper.save(update_fields=["mismatch", "updated_at"])
        else:
            paper.confirmed_by = agent
            paper.save(update_fields=["confirmed_by", "updated_at"])
            Ballot.objects.create(envelope=envelope, key=secrets.token_hex(32), choices=stored)
    if differs:
        raise BallotError(_("The two typings differ: a supervisor must check the paper ballot."))
    return paper


def envelope_election(*, envelope: Envelope) -> Election:
    """The envelope's vote as a Pabulib election: feasible projects, anonymised ballots."""
    budget = envelope.budget
    projects = list(
        envelope.projects.filter(status__in=[ProjectStatus.FEASIBLE, ProjectStatus.SELECTED,
                                             ProjectStatus.NOT_SELECTED]).order_by("pk")
    )  # fmt: skip
    cumulative = budget.ballot_type == BallotType.CUMULATIVE
    ballots = [
        TallyBallot(
            projects=tuple(ballot.choices),
            points=tuple(Fraction(points) for points in ballot.choices.values())
            if cumulative
            else None,
        )
        for ballot in envelope.ballots.order_by("id")
    ]
    meta = {
        "description": f"{budget} — {envelope.name}",
        "country": "France",
        "unit": str(budget.territory),
        "instance": envelope.name,
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(envelope.amount),
        "vote_type": "cumulative" if cumulative else "approval",
        "rule": "equal-shares",
        "currency": "EUR",
        "max_length": str(budget.max_projects),
        "min_length": str(budget.min_projects),
    }
    if cumulative:
        meta["max_sum_points"] = str(budget.points)
    return Election(
        vote_type=meta["vote_type"],
        budget=Fraction(envelope.amount),
        projects=tuple(
            TallyProject(
                project_id=str(project.pk),
                cost=Fraction(project.cost or 0),
                fields={"name": project.title},
            )
            for project in projects
        ),
        ballots=tuple(ballots),
        meta=meta,
        project_columns=("project_id", "cost", "name"),
        vote_columns=("voter_id", "vote", "points") if cumulative else ("voter_id", "vote"),
    )


@transaction.atomic
def envelope_tally(
    *, envelope: Envelope, rule: str = "equal-shares", completion: str = "add1", actor=None
) -> TallyOutcome:
    """Count an envelope's ballots and mark its projects selected or not."""
    outcome = tally(election=envelope_election(envelope=envelope), rule=rule, completion=completion)
    selected = {int(pk) for pk in outcome.selected}
    for project in envelope.projects.filter(
        status__in=[ProjectStatus.FEASIBLE, ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED]
    ):
        project.status = (
            ProjectStatus.SELECTED if project.pk in selected else ProjectStatus.NOT_SELECTED
        )
        if project.pk in selected and not project.realisation:
            project.realisation = "planned"
        project.save(update_fields=["status", "realisation", "updated_at"])
    if actor is not None:
        audit(
            actor=actor,
            action=AuditAction.STAFF_ACTION,
            verb=f"tally ({rule}, {completion})",
            target=envelope,
            territory=envelope.budget.territory,
        )
    return outcome


__all__ = ["Budget", "Project"]


# Proposals, their review, supports and the follow-up of the winners (used by the pages).

REVIEWABLE = (
    ProjectStatus.SUBMITTED,
    ProjectStatus.FEASIBLE,
    ProjectStatus.UNFEASIBLE,
    ProjectStatus.MERGED,
)
SUPPORTABLE = (ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE)


@transaction.atomic
def project_propose(
    *,
    budget: Budget,
    envelope: Envelope,
    proposer,
    title: str,
    description: str,
    place: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    photos: list | None = None,
) -> Project:
    """A resident proposes a project for one of the budget's envelopes (status: submitted),
    with up to three photos, re-encoded without metadata.

    The caller has checked `budgets.submit_proposal`. Raises ValidationError when the phase no
    longer allows proposals (it may have closed since the form was shown).
    """
    if not budget.process.allows(Action.SUBMIT):
        raise ValidationError(_("Proposals are closed."))
    if envelope.budget_id != budget.pk:
        raise ValidationError(_("This envelope is not part of this budget."))
    project = Project(
        territory_id=budget.territory_id, envelope=envelope, proposer=proposer, title=title,
        description=description, place=place, latitude=latitude, longitude=longitude,
        status=ProjectStatus.SUBMITTED,
    )  # fmt: skip
    project.full_clean()
    project.save()
    _photos_add(project=project, uploads=photos or [])
    return project


def _photos_add(*, project: Project, uploads: list, update=None) -> None:
    """Clean (check, re-encode, strip metadata) and attach photos; ValidationError if bad."""
    from parvis.budgets.models import ProjectPhoto
    from parvis.core.images import MAX_PHOTOS, clean_photo

    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(count)d photos.") % {"count": MAX_PHOTOS})
    for upload in uploads:
        clean = clean_photo(upload)
        ProjectPhoto.objects.create(project=project, update=update, image=clean.content)


@transaction.atomic
def project_review(
    *,
    project: Project,
    actor,
    status: str,
    cost: int | None = None,
    public_reason: str = "",
    merged_into: Project | None = None,
) -> Project:
    """Staff's review of a proposal: feasible at a cost, not feasible for a public reason, or
    merged into another proposal of the same budget. Audited.

    The caller has checked `budgets.review_project`. Raises ValidationError (keyed by `cost`,
    `public_reason` or `merged_into` when one is missing or wrong) and when the vote has begun in
    the project's envelope: a ballot never changes under the voters' feet.
    """
    project = Project.objects.select_for_update().select_related("envelope").get(pk=project.pk)
    if (
        project.status not in REVIEWABLE
        or Ballot.objects.filter(envelope_id=project.envelope_id).exists()
    ):
        raise ValidationError(_("The vote has begun: this project's review can no longer change."))
    public_reason = public_reason.strip()
    if status == ProjectStatus.FEASIBLE:
        if not cost:
            raise ValidationError({"cost": _("Give the estimated cost of a feasible project.")})
        if cost > project.envelope.amount:
            raise ValidationError(
                {"cost": _("This is more than the envelope (%(amount)s €): it could never be "
                           "funded.") % {"amount": project.envelope.amount}}
            )  # fmt: skip
        project.cost, project.merged_into = cost, None
    elif status == ProjectStatus.UNFEASIBLE:
        if not public_reason:
            raise ValidationError(
                {"public_reason": _("Explain to the public why the project is not feasible.")}
            )
        project.merged_into = None
    elif status == ProjectStatus.MERGED:
        if (
            merged_into is None
            or merged_into.pk == project.pk
            or merged_into.envelope.budget_id != project.envelope.budget_id
            or merged_into.status == ProjectStatus.MERGED
        ):
            raise ValidationError(
                {"merged_into": _("Give the number of another project of this budget that is "
                                  "not itself merged.")}
            )  # fmt: skip
        project.merged_into = merged_into
    else:
        raise ValidationError(_("Unknown review decision."))
    project.status = status
    project.review_note = public_reason
    project.full_clean()
    project.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb=f"project reviewed: {status}",
        target=project,
        territory=project.territory,
        detail={"cost": project.cost, "merged_into": project.merged_into_id},
    )
    return project


def project_support(*, project: Project, user, support: bool = True) -> None:
    """Add (or withdraw) a resident's support to a proposal while the phase allows supports.

    The caller has checked `budgets.support_project`. Raises ValidationError for a project that
    is not open to supports (reviewed as not feasible, merged, or past the vote).
    """
    if project.status not in SUPPORTABLE:
        raise ValidationError(_("This project can no longer be supported."))
    if support:
        ProjectSupport.objects.get_or_create(project=project, user=user)
    else:
        ProjectSupport.objects.filter(project=project, user=user).delete()


def project_follow(*, project: Project, user, follow: bool = True) -> None:
    """Start (or stop) following a project: its followers hear of each realisation update."""
    if follow:
        ProjectFollower.objects.get_or_create(project=project, user=user)
    else:
        ProjectFollower.objects.filter(project=project, user=user).delete()


@transaction.atomic
def project_update_add(
    *,
    project: Project,
    actor,
    realisation: str,
    progress: int,
    spent: int,
    text: str,
    photos: list | None = None,
) -> ProjectUpdate:
    """Publish a step of a winning project's realisation and bring the project's stage,
    progress and money spent up to date. Audited.

    The caller has checked the budget's staff permission. Raises ValidationError for a project
    that was not selected. Emits `project_updated` after commit (its followers are told).
    """
    if project.status != ProjectStatus.SELECTED:
        raise ValidationError(_("Only selected projects are followed until delivered."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage, from 0 to 100.")})
    update = ProjectUpdate(
        project=project, realisation=realisation, progress=progress, spent=spent, text=text,
        author=actor,
    )  # fmt: skip
    update.full_clean()
    update.save()
    _photos_add(project=project, uploads=photos or [], update=update)
    project.realisation, project.progress, project.spent = realisation, progress, spent
    project.save(update_fields=["realisation", "progress", "spent", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="realisation update published",
        target=project,
        territory=project.territory,
        detail={"realisation": realisation, "progress": progress, "spent": spent},
    )
    project_updated.send_on_commit(sender=Project, project=project, update=update)
    return update


@transaction.atomic
def paper_voter_check_in(
    *, agent, envelope: Envelope, family_name: str, first_name: str, birth_date: dt.date
) -> VoterRecord:
    """At the polling station: the agent checked the person's papers, then signs them in the
    envelope's register; both or neither are recorded.

    The caller has checked `budgets.verify_resident`. Raises BallotError when the vote is not
    open, the person is under the budget's minimum age or has already voted (online or on
    paper), VerificationError when the identity is verified with an account elsewhere.
    """
    budget = envelope.budget
    if not budget.process.allows(Action.VOTE):
        raise BallotError(_("The vote is not open."))
    if timezone.now().year - birth_date.year < budget.min_age:
        raise BallotError(_("This vote is open from %(age)d years old.") % {"age": budget.min_age})
    verification = resident_verify_in_person(
        agent=agent, territory=budget.territory, family_name=family_name,
        first_name=first_name, birth_date=birth_date,
    )  # fmt: skip
    paper_voter_register(agent=agent, envelope=envelope, verification=verification)
    return VoterRecord.objects.get(envelope=envelope, identity=verification.identity)


# Appeal period after the vote closes (recours devant le tribunal administratif: two months).
APPEAL_DAYS = 62


def voter_register_purge(*, now=None) -> int:
    """Delete the register of who voted once the appeal period after the vote has passed.

    Ballots stay (they are anonymous and make the results recountable). Returns entries deleted.
    """
    from parvis.participation.models import Phase

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=APPEAL_DAYS)
    vote_ends: dict[int, dt.datetime] = {}
    for phase in Phase.objects.only("process_id", "ends_at", "actions"):
        if Action.VOTE in phase.actions:
            vote_ends[phase.process_id] = max(
                phase.ends_at, vote_ends.get(phase.process_id, phase.ends_at)
            )
    closed = [process_id for process_id, ends_at in vote_ends.items() if ends_at < cutoff]
    deleted, _detail = VoterRecord.objects.filter(envelope__budget__process_id__in=closed).delete()
    return deleted
