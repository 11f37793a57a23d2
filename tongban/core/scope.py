"""A staff member's data scope: a region subtree × a set of departments (None: every department
in the subtree). Built by accounts, applied by every context's selectors."""

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
