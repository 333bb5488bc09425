"""Who may do what with reports: role x territory x report state."""

import rules

from parvis.accounts.choices import Role
from parvis.accounts.permissions import has_role

handlers = has_role(Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN)
moderators = has_role(Role.MODERATOR, Role.SUPERVISOR, Role.TERRITORY_ADMIN)
queue_readers = has_role(Role.AGENT, Role.SUPERVISOR, Role.MODERATOR, Role.TERRITORY_ADMIN)


@rules.predicate
def is_public(user, report) -> bool:
    return report is not None and not report.is_hidden


rules.add_perm("reports.view_report", is_public | queue_readers)
rules.add_perm("reports.view_queue", queue_readers)
rules.add_perm("reports.triage_report", handlers)
rules.add_perm("reports.moderate_report", moderators)
rules.add_perm("reports.view_reporter_contact", queue_readers)
rules.add_perm("reports.file_for_resident", handlers)
rules.add_perm("reports.manage_open311_clients", has_role(Role.TERRITORY_ADMIN))
# Categories (routing, deadlines), ready-made answers, retention and follow-up settings.
rules.add_perm("reports.configure_reporting", has_role(Role.SUPERVISOR, Role.TERRITORY_ADMIN))


@rules.predicate
def photo_is_public(user, photo) -> bool:
    return photo is not None and not photo.is_hidden and not photo.report.is_hidden


@rules.predicate
def photo_staff(user, photo) -> bool:
    return photo is not None and queue_readers.test(user, photo.report)


rules.add_perm("reports.view_photo", photo_is_public | photo_staff)
