"""A staff member's data scope: a region subtree × a set of departments (None: every department
in the subtree). Built by accounts, applied by every context's selectors."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DataScope:
    region_prefix: str
    department_ids: frozenset[int] | None = None

    def covers_region(self, region_code: str | None) -> bool:
        return bool(region_code and region_code.startswith(self.region_prefix))

    def covers_department(self, department_id: int, region_code: str) -> bool:
        in_set = self.department_ids is None or department_id in self.department_ids
        return in_set and self.covers_region(region_code)


NOTHING = DataScope(region_prefix="#")  # matches no division code: the scope of a non-staff user


# Who holds which scope is the identity context's knowledge; it registers the answer here, so
# that contexts below it (the organisation's API) can ask without depending on it.
_scope_sources: list[Callable[[object], DataScope]] = []


def scope_source_register(source: Callable[[object], DataScope]) -> None:
    _scope_sources[:] = [source]


def scope_of(user: object) -> DataScope:
    """The data scope of a user: a staff member's, or NOTHING."""
    return _scope_sources[0](user) if _scope_sources else NOTHING
