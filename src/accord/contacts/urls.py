"""URLs of contacts (``/contacts/...``) and companies (``/companies/...``), namespace
``contacts``."""

from django.urls import path

from accord.contacts import views

app_name = "contacts"

urlpatterns = [
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/duplicates/", views.contact_duplicates, name="contact_duplicates"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/fields/<str:name>", views.contact_field, name="contact_field"),
    path("contacts/<int:pk>/stage", views.contact_stage_set, name="contact_stage_set"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/merge/", views.contact_merge, name="contact_merge"),
    path("contacts/<int:pk>/vcard", views.contact_vcard, name="contact_vcard"),
    path("contacts/<int:pk>/data.json", views.contact_data_export, name="contact_data_export"),
    path("contacts/<int:pk>/erase/", views.contact_erase, name="contact_erase"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/duplicates/", views.company_duplicates, name="company_duplicates"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/fields/<str:name>", views.company_field, name="company_field"),
    path("companies/<int:pk>/delete/", views.company_delete, name="company_delete"),
    path("companies/<int:pk>/merge/", views.company_merge, name="company_merge"),
]
