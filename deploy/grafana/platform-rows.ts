/** Rows about the processes: ingest and HTTP on the API, and the workers' hold on Temporal's task queues. */
import * as units from '@grafana/grafana-foundation-sdk/units';
import { statPanel, timeSeries } from './panels';
import { pollResults, quantile } from './queries';

export const ingestAndHttp = [
  timeSeries({
    title: 'Ingest events by integration type and result',
    description:
      'Events on the integration endpoints per minute: accepted, invalid, throttled, unauthorized, unavailable.',
    unit: units.EventsPerMinute,
    queries: [
      {
        expr: '60 * sum by (integration_type, result) (rate(klaxon_ingest_events_total[$__rate_interval]))',
        legend: '{{integration_type}} {{result}}',
      },
    ],
  }),
  timeSeries({
    title: 'HTTP p99 latency by route',
    description: 'Route templates, never raw paths; pages wait on the ingest and action routes.',
    unit: units.Seconds,
    queries: [
      {
        expr: quantile(0.99, 'klaxon_http_request_duration_seconds', 'route', '$__rate_interval'),
        legend: '{{route}}',
      },
    ],
  }),
  timeSeries({
    title: 'HTTP requests by status',
    description: 'Requests per second answered, by status code.',
    unit: units.RequestsPerSecond,
    stacked: true,
    queries: [
      {
        expr: 'sum by (status) (rate(klaxon_http_request_duration_seconds_count[$__rate_interval]))',
        legend: '{{status}}',
      },
    ],
  }),
];

export const workers = [
  statPanel({
    title: "Workers polling Klaxon's task queues",
    description:
      'Pollers Temporal saw recently on each queue (alerts: workflows, pages: page activities); 0 means nobody can be paged.',
    unit: units.Short,
    thresholds: [
      [null, 'red'],
      [1, 'green'],
    ],
    queries: [{ expr: 'max by (queue) (klaxon_task_queue_pollers)', legend: '{{queue}}' }],
  }),
  statPanel({
    title: 'Scrape targets up',
    description: 'Whether Prometheus reached each target at its last scrape (1) or not (0).',
    unit: units.Short,
    thresholds: [
      [null, 'red'],
      [1, 'green'],
    ],
    queries: [{ expr: 'min by (job) (up)', legend: '{{job}}' }],
  }),
  statPanel({
    title: 'Connection certificates: time left',
    description:
      'Until the client certificates and CAs the processes connect to Temporal and Postgres with expire (read at start; no data without TLS files). Past it, that connection fails and nobody is paged: KlaxonCertificateExpiresSoon warns at 14 days.',
    unit: units.Seconds,
    thresholds: [
      [null, 'red'],
      [2 * 86400, 'orange'],
      [14 * 86400, 'green'],
    ],
    queries: [
      {
        expr: 'min by (connection, certificate) (klaxon_tls_certificate_expiry_timestamp_seconds - time())',
        legend: '{{connection}} {{certificate}}',
      },
    ],
  }),
  timeSeries({
    title: 'Task slots available',
    description:
      'Free workflow-task and activity slots per queue and worker type, all workers together; near 0 means tasks wait for a slot.',
    unit: units.Short,
    queries: [
      {
        expr: 'sum by (task_queue, worker_type) (temporal_worker_task_slots_available)',
        legend: '{{task_queue}} {{worker_type}}',
      },
    ],
  }),
  timeSeries({
    title: 'Schedule-to-start latency p99',
    description:
      'How long tasks wait in a queue before a worker takes them: rising means too few workers or slots.',
    unit: units.Seconds,
    queries: [
      {
        expr: quantile(
          0.99,
          'temporal_workflow_task_schedule_to_start_latency_seconds',
          'task_queue',
          '$__rate_interval',
        ),
        legend: 'workflow {{task_queue}}',
      },
      {
        expr: quantile(
          0.99,
          'temporal_activity_schedule_to_start_latency_seconds',
          'task_queue',
          '$__rate_interval',
        ),
        legend: 'activity {{task_queue}}',
      },
    ],
  }),
  timeSeries({
    title: 'Poll results',
    description:
      'Long polls per second that brought a task or came back empty; many empty polls with a backlog elsewhere means a queue name mismatch.',
    unit: units.OpsPerSecond,
    queries: [
      {
        expr: pollResults(
          'workflow',
          'temporal_workflow_task_queue_poll_succeed_total',
          'temporal_workflow_task_queue_poll_empty_total',
        ),
        legend: '{{task_queue}} {{result}}',
      },
      {
        expr: pollResults(
          'activity',
          'temporal_activity_task_received_total',
          'temporal_activity_poll_no_task_total',
        ),
        legend: '{{task_queue}} {{result}}',
      },
    ],
  }),
  timeSeries({
    title: 'Process memory',
    description:
      "Resident memory and V8 heap in use per process; the workflow cache (sticky cache size) is most of a worker's.",
    unit: units.BytesIEC,
    queries: [
      { expr: 'sum by (job, instance) (process_resident_memory_bytes)', legend: 'rss {{job}} {{instance}}' },
      { expr: 'sum by (job, instance) (nodejs_heap_size_used_bytes)', legend: 'heap {{job}} {{instance}}' },
    ],
  }),
  timeSeries({
    title: 'Workflows cached per worker',
    description: "Alert workflows held in each worker's sticky cache (maxCachedWorkflows bounds it).",
    unit: units.Short,
    queries: [{ expr: 'sum by (instance) (temporal_sticky_cache_size)', legend: '{{instance}}' }],
  }),
];
