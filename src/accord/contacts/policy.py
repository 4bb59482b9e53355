"""Access policy registration of the contacts app.

Companies and contacts are owned records (owner + team): the default ``policy.Policy``
scopes them by those two columns. Their child rows (emails, phones, addresses, ...) follow
their parent and are only ever read through it.
"""

from __future__ import annotations

from accord.core import policy


def register_all() -> None:
    from accord.contacts.models import Company, Contact

    policy.register(Company)
    policy.register(Contact)
