from django.urls import path

from accord.lists import views

app_name = "lists"

urlpatterns = [
    path("<str:object_type>/views/", views.saved_view_create_view, name="saved_view_create"),
    path(
        "<str:object_type>/views/<int:pk>/",
        views.saved_view_update_view,
        name="saved_view_update",
    ),
    path(
        "<str:object_type>/views/<int:pk>/delete",
        views.saved_view_delete_view,
        name="saved_view_delete",
    ),
    path("<str:object_type>/columns", views.columns_set_view, name="columns"),
    path("<str:object_type>/bulk", views.bulk_view, name="bulk"),
    path("<str:object_type>/export.csv", views.export_view, name="export"),
]
