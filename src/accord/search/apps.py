from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "accord.search"
    label = "search"
    verbose_name = "Search"
