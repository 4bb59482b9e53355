"""Reusable pieces of the JSON API that every domain app's ``api.py`` uses.

- ``problems``: errors as ``application/problem+json`` and the exceptions to raise.
- ``pagination``: keyset pagination (``CursorParams``, ``CursorPage``, ``paginate``).
- ``concurrency``: ``ETag`` / ``If-Match`` (``etag_for``, ``check_if_match``, ``set_etag``).
- ``ratelimit``: the cache-backed rate limit the API applies to every request.
- ``testing``: a test client for the API (bearer token, JSON, problem assertions).
- ``cache``: a database cache with an atomic ``incr`` (the default ``CACHES`` backend).

Domain apps import these; they never import ``accord.api`` (the composition root).
"""
