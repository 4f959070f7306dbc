/**
 * Copy-paste set-up for a new integration, built from its routing key and the console's origin: where
 * each kind of monitoring system sends its events (the ingest routes in api/schemas/ingest.ts) and a
 * minimal example it can send. Pure: no DOM, no fetch.
 */

export type IntegrationType = 'alertmanager' | 'pagerduty' | 'generic' | 'anomaly';

export interface Snippet {
  /** What the snippet is, as a heading. */
  title: string;
  /** yaml or shell: for the reader, the text is plain either way. */
  language: 'yaml' | 'shell';
  text: string;
}

/** Returns the address events for an integration of `type` go to (PagerDuty's carries the key in the body). */
export function ingestUrl(origin: string, type: IntegrationType, routingKey: string): string {
  const base = origin.replace(/\/+$/, '');
  if (type === 'pagerduty') return `${base}/v2/enqueue`;
  return `${base}/integrations/${type}/${encodeURIComponent(routingKey)}`;
}

/** Returns `text` quoted for a POSIX shell: one single-quoted word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const curl = (url: string, body: unknown) =>
  [
    `curl -sS -X POST ${shellQuote(url)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(body, null, 2))}`,
  ].join('\n');

/** Returns the Alertmanager `receivers:` block that sends every alert of a route to the integration. */
export function alertmanagerReceiver(url: string, name = 'klaxon'): string {
  return [
    'receivers:',
    `  - name: ${name}`,
    '    webhook_configs:',
    `      - url: '${url.replace(/'/g, "''")}'`,
    '        send_resolved: true',
  ].join('\n');
}

/** Returns the snippets that fit an integration of `type`, most useful first. */
export function integrationSnippets(
  origin: string,
  type: IntegrationType,
  routingKey: string,
  options: { summaryPath?: string } = {},
): Snippet[] {
  const url = ingestUrl(origin, type, routingKey);
  switch (type) {
    case 'alertmanager':
      return [
        { title: 'Alertmanager (alertmanager.yml)', language: 'yaml', text: alertmanagerReceiver(url) },
        {
          title: 'Test it with curl (an Alertmanager webhook body)',
          language: 'shell',
          text: curl(url, {
            version: '4',
            status: 'firing',
            receiver: 'klaxon',
            alerts: [
              {
                status: 'firing',
                fingerprint: 'klaxon-test-1',
                labels: { alertname: 'KlaxonTest', severity: 'low' },
                annotations: { summary: 'A test alert from curl' },
                startsAt: '2026-01-01T00:00:00Z',
              },
            ],
          }),
        },
      ];
    case 'pagerduty':
      return [
        {
          title: 'PagerDuty Events API v2 client (curl to /v2/enqueue)',
          language: 'shell',
          text: curl(url, {
            routing_key: routingKey,
            event_action: 'trigger',
            dedup_key: 'klaxon-test-1',
            payload: { summary: 'A test alert from curl', source: 'curl', severity: 'warning' },
          }),
        },
      ];
    case 'generic':
      return [
        {
          title: 'Send an event with curl',
          language: 'shell',
          text: curl(url, nest(options.summaryPath ?? '$.title', 'A test alert from curl')),
        },
      ];
    case 'anomaly':
      return [
        {
          title: 'Send an anomaly with curl',
          language: 'shell',
          text: curl(url, { metric: 'checkout_latency_p99', model: 'seasonal', score: 0.5 }),
        },
      ];
  }
}

/** Returns a JSON object with `value` at a simple JSONPath such as $.alert.title (any other: at $.title). */
export function nest(path: string, value: unknown): Record<string, unknown> {
  const names = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path) ? path.slice(2).split('.') : ['title'];
  let out: unknown = value;
  for (const name of names.reverse()) out = { [name]: out };
  return out as Record<string, unknown>;
}

/** Returns where a heartbeat monitor's job pings (GET or POST, the key in the path). */
export function heartbeatUrl(origin: string, key: string): string {
  return `${origin.replace(/\/+$/, '')}/heartbeat/${encodeURIComponent(key)}`;
}

/**
 * Returns the crontab schedule that runs every `intervalSeconds`, when cron can say it (minutes that
 * divide an hour, hours that divide a day, a day), else null: the job keeps its own schedule then.
 */
export function cronEvery(intervalSeconds: number): string | null {
  const minutes = intervalSeconds / 60;
  if (Number.isInteger(minutes) && minutes >= 1 && minutes < 60 && 60 % minutes === 0)
    return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = intervalSeconds / 3600;
  if (Number.isInteger(hours) && hours >= 1 && hours < 24 && 24 % hours === 0)
    return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (intervalSeconds === 86_400) return '0 3 * * *';
  return null;
}

/** Returns the ways to ping a new heartbeat monitor: after a job, and from cron when cron can keep its interval. */
export function heartbeatSnippets(origin: string, key: string, intervalSeconds: number): Snippet[] {
  const url = heartbeatUrl(origin, key);
  // -f: an HTTP error is a failed ping the job's log shows; -m and --retry: a slow or lost ping never
  // holds the job up for long, nor goes unsent for one dropped connection.
  const ping = `curl -fsS -m 10 --retry 3 ${shellQuote(url)} > /dev/null`;
  const out: Snippet[] = [{ title: 'At the end of the job', language: 'shell', text: `your-job && ${ping}` }];
  const every = cronEvery(intervalSeconds);
  if (every) out.push({ title: 'In a crontab', language: 'shell', text: `${every} your-job && ${ping}` });
  return out;
}
