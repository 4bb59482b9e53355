"""No models. The module exists so that Django sends this app ``post_migrate`` (it skips apps
without a models module), which creates the cache table; see ``apps.py``."""
