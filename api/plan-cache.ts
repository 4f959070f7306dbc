/**
 * The API process's copy of what planning an alert and admitting a request read: escalation rules and
 * policies, per-service SLA targets, integrations by routing-key digest, and API keys by digest. In a
 * storm these were several queries per event; now they are a map lookup. And while Postgres is down,
 * ingest and POST /alerts still answer from it, since the event itself only needs Temporal.
 *
 * Invariant: a cached value is served only while the change listener is up (store/change-listener.ts),
 * i.e. while every committed change to these tables reaches `changed` (sql/000011, sql/000013). While it
 * is down every read queries Postgres. Changes this process makes through the API are applied at once
 * (the routers call `changed` after their commit), so a client that edits a policy and then triggers
 * an alert gets the new policy; other processes' changes arrive with the notification, milliseconds
 * after their commit. API keys are always read from Postgres while it answers (each use touches the
 * key's last_used_at); only the outage fallback below holds them.
 *
 * Outage fallback: every value read from Postgres is also kept as the last known one for its key (an
 * unknown or disabled routing key, a revoked or unknown API key: none, the key is forgotten). A read that
 * cannot reach Postgres (store/unreachable.ts) answers with it; without one the error goes on and the
 * API answers 503 with Retry-After. The last known values are reloaded whenever a notification says
 * their table changed and whenever the listener connects again (everything: changes made while it was
 * down were not heard), so they lag Postgres only by what committed between the listener losing its
 * connection and Postgres becoming unreachable: nothing, when Postgres itself went down. Serving that
 * over refusing the event is the point: a monitor that fires during an outage is paged with the policy
 * as it stood a moment before.
 */
import { admitApiKey, findActiveApiKeyByDigest, type ApiKeyRecord, type ApiKeyRow } from '../store/api-keys';
import { getPolicy, loadMatchingInputs, type StoredPolicy } from '../store/policies';
import type { Queryable } from '../store/db';
import { sha256Hex } from '../store/digests';
import {
  admitIntegration,
  findIntegrationByDigest,
  type IntegrationRecord,
  type IntegrationRow,
} from '../store/integrations';
import { listLiveSilences, type SilenceRow } from '../store/silences';
import { listSlaOverrides } from '../store/sla';
import { isStoreUnreachable } from '../store/unreachable';
import type { SlaOverride } from '../domain/sla';
import { NotInMemory, type PlanReads } from './alert-plan';

/** The tables whose changes reach the cache; `changed` takes one of these names. */
export const CACHED_TABLES = [
  'escalation_policies',
  'escalation_rules',
  'sla_targets',
  'integrations',
  'api_keys',
  'silences',
] as const;
export type CachedTable = (typeof CACHED_TABLES)[number];

// Far more than any install has policies, integrations or keys; only a bug could reach it, and then the
// shelf starts over (the last known values drop their oldest) instead of growing without bound.
const MAX_ENTRIES = 10_000;

interface Known<T> {
  value: T;
  /** When its load started (Shelf.seq): an older load never overwrites a newer one's value. */
  seq: number;
  load: () => Promise<T>;
}

/**
 * Loads by key. While serving: shared while in flight and kept once done, until clear(). Always: the
 * last value loaded is kept as the fallback for a load that cannot reach Postgres. A load that fails, or
 * whose value `keep` refuses, is not served again (and a refused value also drops the fallback). Clearing
 * drops in-flight loads too: what they return may predate the change that cleared them, so only their
 * own callers see it, and it never becomes the fallback. Every caller gets the same object: read it,
 * never change it (a policy snapshot is serialised into the workflow's input as it is).
 */
class Shelf<T> {
  private entries = new Map<string, Promise<T>>();
  private known = new Map<string, Known<T>>();
  private seq = 0;
  // Loads started at or before this were in flight at the last clear().
  private floor = 0;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private refreshServe = false;

  constructor(private readonly keep: (value: T) => boolean = () => true) {}

  get(key: string, load: () => Promise<T>, serve: boolean): Promise<T> {
    let loading = serve ? this.entries.get(key) : undefined;
    if (!loading) {
      loading = this.load(key, load);
      if (serve) this.hold(key, loading);
    }
    return loading.catch((err: unknown) => {
      const last = this.known.get(key);
      if (last && isStoreUnreachable(err)) return last.value;
      throw err;
    });
  }

  /** Returns what is served for key (a value, or a load in flight), or undefined: get() would load it. */
  held(key: string): Promise<T> | undefined {
    return this.entries.get(key);
  }

  /** True when a value for key was loaded and kept (for the credential shelves: it was good when last read). */
  knows(key: string): boolean {
    return this.known.has(key);
  }

  /** Forgets what is served; the fallback stays, to be refreshed. */
  clear(): void {
    this.entries.clear();
    this.floor = this.seq;
  }

  /**
   * Loads every key with a fallback again (served from, when serving); failures keep the old one. Asked
   * again while a round runs, it runs one more round after it: a script committing a thousand edits
   * costs rounds back to back, not a thousand rounds at once.
   */
  refresh(serve: boolean): void {
    this.refreshServe = serve;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await Promise.allSettled([...this.known].map(([key, { load }]) => this.get(key, load, this.refreshServe)));
      } while (this.refreshAgain);
    })().finally(() => (this.refreshing = undefined));
  }

  private load(key: string, load: () => Promise<T>): Promise<T> {
    const seq = ++this.seq;
    return load().then((value) => {
      this.remember(key, { value, seq, load });
      return value;
    });
  }

  private remember(key: string, k: Known<T>): void {
    if (k.seq <= this.floor) return;
    const held = this.known.get(key);
    if (held && held.seq > k.seq) return;
    if (!this.keep(k.value)) {
      this.known.delete(key);
      return;
    }
    if (!held && this.known.size >= MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
    this.known.set(key, k);
  }

  private hold(key: string, loading: Promise<T>): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, loading);
    const forget = () => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    };
    void loading.then((value) => (this.keep(value) ? undefined : forget()), forget);
  }
}

/** Cached reads of the planning, routing-key and API-key tables; see the module comment for when they are served. */
export class PlanCache implements PlanReads {
  private live = false;
  private readonly matching = new Shelf<Awaited<ReturnType<typeof loadMatchingInputs>>>();
  private readonly policies = new Shelf<StoredPolicy | undefined>();
  private readonly sla = new Shelf<readonly SlaOverride[]>();
  private readonly integrations = new Shelf<IntegrationRecord | undefined>((r) => r !== undefined);
  private readonly apiKeys = new Shelf<ApiKeyRecord | undefined>((r) => r !== undefined);
  private readonly silences = new Shelf<readonly SilenceRow[]>();

  constructor(private readonly db: Queryable) {}

  /** True while cached values are served (the change listener is up). */
  get serving(): boolean {
    return this.live;
  }

  matchingInputs() {
    return this.matching.get('', () => loadMatchingInputs(this.db), this.live);
  }

  policy(id: string) {
    return this.policies.get(id, () => getPolicy(this.db, id), this.live);
  }

  /** Every service's overrides, loaded once: the targets picked from them are the service's own. */
  slaOverrides(_service: string) {
    return this.sla.get('', () => listSlaOverrides(this.db), this.live);
  }

  /** The silences not deleted nor over when loaded: a trigger filters them by its own clock. */
  liveSilences() {
    return this.silences.get('', () => listLiveSilences(this.db, new Date()), this.live);
  }

  /**
   * Planning reads that answer only from what is served, failing with NotInMemory where they would
   * query; undefined while nothing is served (the listener is down). A repeat of an open alert needs no
   * plan: api/trigger.ts tries it as a signal before planning would query.
   */
  inMemory(): PlanReads | undefined {
    if (!this.live) return undefined;
    const held = <T>(shelf: Shelf<T>, key: string, what: string) => shelf.held(key) ?? Promise.reject(new NotInMemory(what));
    return {
      matchingInputs: () => held(this.matching, '', 'the escalation rules'),
      policy: (id) => held(this.policies, id, `policy ${id}`),
      slaOverrides: () => held(this.sla, '', 'the SLA targets'),
      liveSilences: () => held(this.silences, '', 'the silences'),
    };
  }

  /** Returns the enabled integration with this routing key, or undefined; unknown keys are never kept. */
  async integrationByKey(key: string): Promise<IntegrationRow | undefined> {
    const keyDigest = sha256Hex(key);
    const found = await this.integrations.get(keyDigest, () => findIntegrationByDigest(this.db, keyDigest), this.live);
    return admitIntegration(found, keyDigest);
  }

  /** Returns the active API key: read from Postgres, or as last read while Postgres cannot be reached. */
  async apiKey(key: string): Promise<ApiKeyRow | undefined> {
    const digest = sha256Hex(key);
    const found = await this.apiKeys.get(digest, () => findActiveApiKeyByDigest(this.db, digest), false);
    return admitApiKey(found, digest);
  }

  /**
   * True for a routing key or API key that was good when last read: checking it again is no guess, so
   * api/auth-throttle.ts does not hold it back. No query; the next read still decides.
   */
  knowsRoutingKey(key: string): boolean {
    return this.integrations.knows(sha256Hex(key));
  }

  knowsApiKey(key: string): boolean {
    return this.apiKeys.knows(sha256Hex(key));
  }

  /** Drops what depends on a table and reloads its last known values; a name it does not know: everything. */
  changed(table: string): void {
    const shelves = this.dependingOn(table);
    for (const shelf of shelves) shelf.clear();
    this.refresh(shelves);
  }

  /**
   * Up: serve from the cache from now on. Down: query every time. Either way, start from nothing; once
   * up, reload every last known value, since changes made while nobody listened were not heard.
   */
  setLive(live: boolean): void {
    this.live = live;
    for (const shelf of this.all()) shelf.clear();
    if (live) this.refresh(this.all());
  }

  private all() {
    return [this.matching, this.policies, this.sla, this.integrations, this.apiKeys, this.silences];
  }

  private dependingOn(table: string) {
    switch (table as CachedTable) {
      case 'escalation_rules':
        return [this.matching];
      case 'escalation_policies':
        // The default policy's id is part of the matching inputs.
        return [this.matching, this.policies];
      case 'sla_targets':
        return [this.sla];
      case 'integrations':
        return [this.integrations];
      case 'api_keys':
        return [this.apiKeys];
      case 'silences':
        return [this.silences];
      default:
        return this.all();
    }
  }

  private refresh(shelves: readonly { refresh(serve: boolean): void }[]): void {
    // API keys are never served from memory (see the module comment): their refresh only renews the fallback.
    for (const shelf of shelves) shelf.refresh(shelf === this.apiKeys ? false : this.live);
  }
}
