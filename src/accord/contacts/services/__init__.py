"""Every write of the contacts app (principle 1). Import from here::

from accord.contacts.services import contact_create, contact_merge
"""

from accord.contacts.services.bulk import (
    company_bulk_assign_owner,
    company_bulk_delete,
    company_bulk_tag_add,
    company_bulk_tag_remove,
    contact_bulk_assign_owner,
    contact_bulk_delete,
    contact_bulk_set_stage,
    contact_bulk_tag_add,
    contact_bulk_tag_remove,
)
from accord.contacts.services.children import tags_get_or_create
from accord.contacts.services.companies import (
    COMPANY_FIELDS,
    company_create,
    company_delete,
    company_update,
)
from accord.contacts.services.contacts import (
    CONTACT_FIELDS,
    contact_bulk_create,
    contact_create,
    contact_delete,
    contact_set_lifecycle_stage,
    contact_update,
)
from accord.contacts.services.merge import company_merge, contact_merge, repoint_related
from accord.contacts.services.privacy import contact_data_export, contact_erase, is_suppressed
from accord.contacts.services.vcards import contact_vcard_export, contact_vcard_import

__all__ = [
    "COMPANY_FIELDS",
    "CONTACT_FIELDS",
    "company_bulk_assign_owner",
    "company_bulk_delete",
    "company_bulk_tag_add",
    "company_bulk_tag_remove",
    "company_create",
    "company_delete",
    "company_merge",
    "company_update",
    "contact_bulk_assign_owner",
    "contact_bulk_create",
    "contact_bulk_delete",
    "contact_bulk_set_stage",
    "contact_bulk_tag_add",
    "contact_bulk_tag_remove",
    "contact_create",
    "contact_data_export",
    "contact_delete",
    "contact_erase",
    "contact_merge",
    "contact_set_lifecycle_stage",
    "contact_update",
    "contact_vcard_export",
    "contact_vcard_import",
    "is_suppressed",
    "repoint_related",
    "tags_get_or_create",
]
