"""The jobs page at /settings/jobs/: who may see it, what it shows, retry and cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.tasks.base import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.background import sample_jobs

from accord.accounts.models import User
from accord.background.models import WorkerHeartbeat
from accord.background.worker import Worker

pytestmark = pytest.mark.django_db

URL = "/settings/jobs/"


def _failed_job(worker: Worker) -> DBTaskResult:
    sample_jobs.fails_permanently.enqueue("contact 42")
    worker.run()
    return DBTaskResult.objects.get(status=TaskResultStatus.FAILED)


def test_the_url_name() -> None:
    assert reverse("background:job_list") == URL


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["sales-rep", "manager", "read-only"])
def test_non_administrators_are_refused(
    role: str, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user(role, email=f"{role}@example.com"))

    assert client.get(URL).status_code == 403


def test_an_admin_role_without_superuser_may_see_the_page(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("admin", email="role-admin@example.com"))

    assert client.get(URL).status_code == 200


def test_the_failed_tab_lists_failed_jobs_with_their_error(
    admin_client: Client, worker: Worker
) -> None:
    failed = _failed_job(worker)
    sample_jobs.effect_once.enqueue("still queued")
    WorkerHeartbeat.objects.create(
        worker_id="host-1-abc", host="host-1", pid=41, last_seen_at=timezone.now()
    )

    response = admin_client.get(URL, {"status": "failed"})

    assert response.status_code == 200
    page = response.context["page"]
    assert [row.id for row in page.rows] == [str(failed.id)]
    row = page.rows[0]
    assert (row.task_name, row.queue, row.attempts, row.max_attempts) == (
        "fails_permanently",
        "default",
        1,
        3,
    )
    assert (row.error_class, row.error_message) == ("PermanentJobError", "contact 42 is gone")
    assert row.worker_id == "test-worker"
    html = response.content.decode()
    assert str(failed.id) in html
    assert "PermanentJobError" in html
    assert reverse("background:job_retry", args=[failed.id]) in html
    assert "host-1-abc" in html
    assert "background.jobs_prune" in html  # periodic jobs are listed


def test_the_queued_tab_offers_cancel(admin_client: Client) -> None:
    queued = sample_jobs.effect_once.enqueue("queued")

    response = admin_client.get(URL)

    assert [row.id for row in response.context["page"].rows] == [str(queued.id)]
    assert reverse("background:job_cancel", args=[queued.id]) in response.content.decode()


def test_the_retry_button_queues_a_failed_job_again(admin_client: Client, worker: Worker) -> None:
    failed = _failed_job(worker)

    response = admin_client.post(
        reverse("background:job_retry", args=[failed.id]), {"next": f"{URL}?status=failed"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?status=failed"
    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.READY
    assert failed.worker_ids == []


def test_the_cancel_button_cancels_a_queued_job(admin_client: Client) -> None:
    queued = sample_jobs.effect_once.enqueue("to cancel")

    response = admin_client.post(reverse("background:job_cancel", args=[queued.id]))

    assert response.status_code == 302
    assert response["Location"] == URL
    assert DBTaskResult.objects.get(id=queued.id).status == TaskResultStatus.FAILED


def test_retry_redirects_only_to_this_site(admin_client: Client, worker: Worker) -> None:
    failed = _failed_job(worker)

    response = admin_client.post(
        reverse("background:job_retry", args=[failed.id]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == URL


def test_retry_and_cancel_need_post_and_an_administrator(
    admin_client: Client, user_client: Client, worker: Worker
) -> None:
    failed = _failed_job(worker)
    retry_url = reverse("background:job_retry", args=[failed.id])

    assert admin_client.get(retry_url).status_code == 405
    assert user_client.post(retry_url).status_code == 403
    assert DBTaskResult.objects.get(id=failed.id).status == TaskResultStatus.FAILED


def test_retry_and_cancel_check_the_csrf_token(admin_user: User, worker: Worker) -> None:
    failed = _failed_job(worker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(reverse("background:job_retry", args=[failed.id]))

    assert response.status_code == 403
    assert DBTaskResult.objects.get(id=failed.id).status == TaskResultStatus.FAILED
