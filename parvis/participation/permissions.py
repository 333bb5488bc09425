"""Participation rules: role x phase. Components combine them with their own predicates."""

import rules

from parvis.participation.choices import Action


def phase_allows(action: str) -> rules.Predicate:
    """Predicate on a component (anything with a `process`): the current phase allows `action`."""

    @rules.predicate(name=f"phase_allows({action})")
    def predicate(user, component=None) -> bool:
        return component is not None and component.process.allows(action)

    return predicate


submitting = phase_allows(Action.SUBMIT)
supporting = phase_allows(Action.SUPPORT)
commenting = phase_allows(Action.COMMENT)
voting = phase_allows(Action.VOTE)
results_public = phase_allows(Action.RESULTS) | phase_allows(Action.FOLLOW_UP)
