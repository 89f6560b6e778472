"""A task sent from this (web) process is executed by a separate Celery worker process."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from herzdigital import health
from herzdigital.tasks import heartbeat
from tests.processes import celery_worker, require_broker, wait_for


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_sent_from_web_process_runs_in_separate_worker():
    require_broker()
    cache.delete(health.HEARTBEAT_WORKER_KEY)
    with celery_worker() as worker:
        heartbeat.delay()
        assert wait_for(lambda: cache.get(health.HEARTBEAT_WORKER_KEY) is not None, timeout=60), (
            "the worker never ran the task"
        )
        assert worker.poll() is None
    print(f"broker: {settings.CELERY_BROKER_URL.split(':')[0]}")
