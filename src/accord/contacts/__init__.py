"""Customer database: companies, contacts, duplicates, merge, privacy, vCard."""
