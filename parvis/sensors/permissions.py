"""Who may do what with sensors: role x territory."""

import rules

from parvis.accounts.choices import Role
from parvis.accounts.permissions import has_role

operations = has_role(Role.AGENT, Role.SUPERVISOR, Role.DATA_OFFICER, Role.TERRITORY_ADMIN)
registry_managers = has_role(Role.DATA_OFFICER, Role.TERRITORY_ADMIN)


@rules.predicate
def is_public_device(user, thing) -> bool:
    return thing is not None and thing.is_public and thing.is_active


# Devices and their health, datastreams and series, the dead-letter store of a territory.
rules.add_perm("sensors.view_operations", operations)
rules.add_perm("sensors.view_thing", is_public_device | operations)
rules.add_perm("sensors.manage_registry", registry_managers)
rules.add_perm("sensors.replay_dead_letter", registry_managers)
