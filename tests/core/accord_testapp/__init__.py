"""A test-only app with owned records, so the core framework is tested on real tables.

Installed by tests/core/conftest.py only; never part of the product.
"""
