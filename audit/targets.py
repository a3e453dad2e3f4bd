"""What a model tells the audit log about itself when it is the target of an entry.

`audit_record` files an entry under the target's `audit_region_code` and `audit_institution_id` (when the
model has them), so that the officials of the region and the institution's history find it.
"""


class InstitutionTarget:
    """For a model that belongs to an institution (its `institution` foreign key): entries about it are
    filed under that institution and the institution's region."""

    @property
    def audit_region_code(self) -> str:
        return self.institution.region_id

    @property
    def audit_institution_id(self) -> int:
        return self.institution_id
