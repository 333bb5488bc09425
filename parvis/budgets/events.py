"""Events of participatory budgets, sent after commit. Notifications listen to them."""

from parvis.core.events import DomainEvent

# payload: project, update (ProjectUpdate) — a public step of a winning project's realisation,
# for its followers
project_updated = DomainEvent("project_updated")
