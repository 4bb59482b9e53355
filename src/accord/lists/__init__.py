"""Lists: filters, sorting, keyset pagination, counts, columns, saved views, bulk actions and
CSV export for every record type (contacts, companies, deals, ...). See docs/lists.md."""
