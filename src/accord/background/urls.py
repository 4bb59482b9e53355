from django.urls import path

from accord.background import views

app_name = "background"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
    path("<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
]
