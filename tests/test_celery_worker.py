"""The wiring every scoring task will stand on, tested with a real worker process."""

import time

import pytest
from django.conf import settings

from config.celery import app, ping
from tests.workers import celery_worker

pytestmark = pytest.mark.worker


def test_real_worker_answers_through_the_configured_broker():
    with celery_worker() as worker:
        result = ping.apply_async(queue=worker["queue"])

        assert result.get(timeout=180) == "pong"


def test_broker_is_redis_when_redis_url_is_set():
    if settings.REDIS_URL:
        assert app.conf.broker_url.startswith("redis://")
        assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    else:
        assert app.conf.broker_url == "filesystem://"
        assert app.conf.broker_transport_options["polling_interval"] <= 0.1


def test_cpu_and_gpu_queues_exist_and_cpu_is_the_default():
    queues = {q.name: (q.exchange.name, q.routing_key) for q in app.conf.task_queues}
    assert queues == {"cpu": ("cpu", "cpu"), "gpu": ("gpu", "gpu")}
    assert app.conf.task_default_queue == "cpu"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def test_a_gpu_worker_never_takes_a_cpu_task():
    with celery_worker(queues=("gpu",)):
        # Once it answers on its own queue, the worker has declared its bindings.
        assert ping.apply_async(queue="gpu").get(timeout=180) == "pong"
        stray = ping.apply_async(queue="cpu")
        time.sleep(3)
        assert not stray.ready(), "a task sent to the cpu queue ran on the gpu worker"
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("cpu")


@pytest.mark.django_db(transaction=True)
def test_health_is_green_with_a_worker_running(client):
    with celery_worker(queues=("cpu",)):
        deadline = time.monotonic() + 60
        while True:
            response = client.get("/health/")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["workers"]["answered"]
