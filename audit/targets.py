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


class RegionTarget:
    """For a model that belongs to a region (its `region` foreign key): entries about it are filed under that
    region, and under no institution."""

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class PartTarget:
    """For a model that is part of an institution's target (`audit_parent` names the attribute holding it,
    e.g. the filing of a document): entries about the part are filed where the parent's are."""

    audit_parent: str

    @property
    def audit_region_code(self) -> str:
        return getattr(self, self.audit_parent).audit_region_code

    @property
    def audit_institution_id(self) -> int:
        return getattr(self, self.audit_parent).audit_institution_id
