"""/metrics in the Prometheus text format (prometheus_client), computed from the database at scrape time.

Every figure is read when Prometheus asks, from the database that all web and worker machines share
(or, for queue lengths, from the broker), so any web process answers the same. Counters that the
workers increment live in ``MetricCounter`` rows (operations/counters.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from meetings.models import Meeting, Server
from operations import counters
from recordings.models import Recording

logger = logging.getLogger(__name__)

QUEUES = ("default", "maintenance")


def queue_lengths() -> dict[str, int | None]:
    """Messages waiting per Celery queue (None when the broker cannot be asked)."""
    from herzdigital.celery import app

    lengths: dict[str, int | None] = {}
    try:
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            for queue in QUEUES:
                try:
                    lengths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:  # a queue nobody declared yet has no messages
                    lengths[queue] = 0
    except Exception as exc:
        logger.warning("queue lengths unavailable: %s", exc)
        return dict.fromkeys(QUEUES)
    return lengths


class HerzdigitalCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from self._meetings()
        yield from self._servers()
        yield from self._recordings()
        yield from self._queues()

    def _meetings(self) -> Iterator[Metric]:
        open_meeting = Q(ended_at__isnull=True)
        figures = Meeting.objects.aggregate(
            running=Count("pk", filter=open_meeting & Q(status=Meeting.Status.RUNNING)),
            starting=Count("pk", filter=open_meeting & Q(status=Meeting.Status.STARTING)),
            participants=Coalesce(Sum("participant_count", filter=open_meeting), 0),
            moderators=Coalesce(Sum("moderator_count", filter=open_meeting), 0),
        )
        meetings = GaugeMetricFamily("herzdigital_meetings", "Open meetings of ours by status", labels=["status"])
        meetings.add_metric(["running"], figures["running"])
        meetings.add_metric(["starting"], figures["starting"])
        yield meetings
        yield GaugeMetricFamily(
            "herzdigital_participants", "Participants in our open meetings", value=figures["participants"]
        )
        yield GaugeMetricFamily(
            "herzdigital_moderators", "Moderators in our open meetings", value=figures["moderators"]
        )

    def _servers(self) -> Iterator[Metric]:
        labels = ["server"]
        gauges = {
            "healthy": GaugeMetricFamily(
                "herzdigital_server_healthy", "1 when the last polls succeeded", labels=labels
            ),
            "enabled": GaugeMetricFamily(
                "herzdigital_server_enabled", "1 when the server takes new meetings", labels=labels
            ),
            "load": GaugeMetricFamily(
                "herzdigital_server_load", "Participants on the server (all front-ends)", labels=labels
            ),
            "capacity": GaugeMetricFamily(
                "herzdigital_server_capacity", "Configured capacity in participants", labels=labels
            ),
            "meeting_count": GaugeMetricFamily(
                "herzdigital_server_meetings", "Meetings BBB lists on the server", labels=labels
            ),
            "consecutive_failures": GaugeMetricFamily(
                "herzdigital_server_consecutive_failures", "Failed polls in a row", labels=labels
            ),
        }
        last_success = GaugeMetricFamily(
            "herzdigital_server_last_success_timestamp_seconds", "Unix time of the last successful poll", labels=labels
        )
        values = counters.counters_by_name()
        runs, seconds, failures = (
            values.get(n, {}) for n in (counters.SYNC_RUNS, counters.SYNC_SECONDS, counters.SYNC_FAILURES)
        )
        duration = SummaryMetricFamily(
            "herzdigital_sync_duration_seconds", "Time one server's sync took", labels=labels
        )
        failed = CounterMetricFamily("herzdigital_sync_failures", "Failed polls of a server", labels=labels)
        for server in Server.objects.order_by("name"):
            name, key = [server.name], str(server.pk)
            for attribute, gauge in gauges.items():
                value = getattr(server, attribute)
                if attribute == "enabled":
                    value = server.enabled and not server.retired
                gauge.add_metric(name, float(value))
            if server.last_success_at:
                last_success.add_metric(name, server.last_success_at.timestamp())
            duration.add_metric(name, count_value=runs.get(key, 0), sum_value=seconds.get(key, 0.0))
            failed.add_metric(name, failures.get(key, 0))
        yield from gauges.values()
        yield last_success
        yield duration
        yield failed

    def _recordings(self) -> Iterator[Metric]:
        by_state = dict(Recording.objects.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
        recordings = GaugeMetricFamily("herzdigital_recordings", "Recordings by state", labels=["state"])
        for state in Recording.State.values:
            recordings.add_metric([state], by_state.get(state, 0))
        yield recordings
        stored = Recording.objects.filter(deleted_at__isnull=True).aggregate(total=Coalesce(Sum("size_bytes"), 0))
        yield GaugeMetricFamily(
            "herzdigital_recording_storage_bytes", "Bytes BBB reports for recordings not deleted", value=stored["total"]
        )
        values = counters.counters_by_name()
        yield CounterMetricFamily(
            "herzdigital_cleanup_deleted",
            "Recordings the retention cleanup deleted",
            value=values.get(counters.CLEANUP_DELETED, {}).get("", 0),
        )
        yield CounterMetricFamily(
            "herzdigital_cleanup_failed",
            "Recordings the retention cleanup could not delete",
            value=values.get(counters.CLEANUP_FAILED, {}).get("", 0),
        )

    def _queues(self) -> Iterator[Metric]:
        queue = GaugeMetricFamily("herzdigital_queue_length", "Tasks waiting in a Celery queue", labels=["queue"])
        for name, length in queue_lengths().items():
            if length is not None:
                queue.add_metric([name], length)
        yield queue


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HerzdigitalCollector())
    return registry
