// docs/operations.md is what an operator reads in an incident, and the alert rules link into it: every
// variable it names must be one Klaxon reads, and every anchor a rule or the page itself links to must be
// a heading there.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { configKeys } from '../runtime/config';

const root = path.resolve(__dirname, '..');
const DOC = 'docs/operations.md';
const doc = readFileSync(path.join(root, DOC), 'utf8');

/** Variables the runbook names that other programs read, not Klaxon. */
const EXTERNAL = new Map([
  ['PGPASSWORD', 'libpq: pg_dump and pg_restore'],
  ['NODE_OPTIONS', 'Node.js: the heap size flag'],
]);

/** The rules deploy/prometheus/klaxon-rules.yml is to have, each with a section. */
const RULES = [
  'KlaxonNoWorkerPolling',
  'KlaxonPagesFailing',
  'KlaxonPagesFailingPermanently',
  'KlaxonPageLatencyHigh',
  'KlaxonTaskBacklog',
  'KlaxonAlertsWithoutPolicy',
  'KlaxonMetricsAbsent',
  'KlaxonEscalationsExhausted',
  'KlaxonSlaBreaches',
  'KlaxonIngestRejected',
  'KlaxonNoOnCall',
  'KlaxonMetricsGaugesStale',
  'KlaxonCertificateExpiresSoon',
];

/** Returns a heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

// Headings outside fenced code blocks (a `# comment` in a shell example is not one).
const prose = doc.replace(/^```[\s\S]*?^```/gm, '');
const anchors = new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map(([, text]) => slug(text!)));

it('names only variables Klaxon reads, or ones it says belong to another program', () => {
  const named = new Set<string>();
  // NAME_WITH_UNDERSCORES anywhere, a prefix such as `TWILIO_`, or NAME= in a command.
  for (const [name] of doc.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]*)+/g)) named.add(name);
  for (const [, name] of doc.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)) named.add(name!);
  assert.ok(named.size >= 20, `the runbook names its variables (${named.size} found)`);
  const keys = configKeys as string[];
  for (const name of named) {
    const known = name.endsWith('_')
      ? keys.some((k) => k.startsWith(name))
      : keys.includes(name) || EXTERNAL.has(name);
    assert.ok(
      known,
      `${name} is in runtime/config.ts's configKeys${name.endsWith('_') ? ' (as a prefix)' : ''} or listed as external`,
    );
  }
});

it('has a section for each alert rule, at #alert-<rule name in lower case>', () => {
  for (const rule of RULES)
    assert.ok(
      anchors.has(`alert-${rule.toLowerCase()}`),
      `a heading with the anchor #alert-${rule.toLowerCase()}`,
    );
});

it('links only to anchors it has', () => {
  const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map(([, anchor]) => anchor!);
  assert.ok(links.length > 0);
  for (const anchor of links) assert.ok(anchors.has(anchor), `#${anchor} is a heading`);
});

it('every rule in klaxon-rules.yml has a section, and its runbook_url lands on it', () => {
  const file = path.join(root, 'deploy/prometheus/klaxon-rules.yml');
  assert.ok(existsSync(file), 'deploy/prometheus/klaxon-rules.yml exists (docker-compose.yml mounts it)');
  const { groups } = parse(readFileSync(file, 'utf8')) as {
    groups?: { rules?: { alert?: string; annotations?: Record<string, string> }[] }[];
  };
  for (const rule of (groups ?? []).flatMap((g) => g.rules ?? []).filter((r) => r.alert)) {
    const anchor = `alert-${rule.alert!.toLowerCase()}`;
    assert.ok(anchors.has(anchor), `${rule.alert} has a section (#${anchor})`);
    const url = rule.annotations?.runbook_url;
    assert.ok(url, `${rule.alert} has a runbook_url`);
    assert.ok(
      url.endsWith(`${DOC}#${anchor}`),
      `${rule.alert}: runbook_url ${url} ends with ${DOC}#${anchor}`,
    );
  }
});

it('the README links to the runbook', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.match(readme, /\]\(docs\/operations\.md\)/);
});
