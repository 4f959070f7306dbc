/**
 * The API process's copy of what planning an alert and admitting an ingest request read: escalation
 * rules and policies, per-service SLA targets, and integrations by routing-key digest. In a storm these
 * were several queries per event; now they are a map lookup.
 *
 * Invariant: a cached value is served only while the change listener is up (store/change-listener.ts),
 * i.e. while every committed change to these tables reaches `changed` (sql/000011). While it is down
 * every read queries Postgres, and everything is dropped both when it goes down and when it is back, so
 * a stale policy is never used silently. Changes this process makes through the API are applied at once
 * (the routers call `changed` after their commit), so a client that edits a policy and then triggers
 * an alert gets the new policy; other processes' changes arrive with the notification, milliseconds
 * after their commit.
 */
import { getPolicy, loadMatchingInputs, type StoredPolicy } from '../store/policies';
import type { Queryable } from '../store/db';
import { sha256Hex } from '../store/digests';
import {
  admitIntegration,
  findIntegrationByDigest,
  type IntegrationRecord,
  type IntegrationRow,
} from '../store/integrations';
import { listSlaOverrides } from '../store/sla';
import type { SlaOverride } from '../domain/sla';
import type { PlanReads } from './alert-plan';

/** The tables whose changes reach the cache; `changed` takes one of these names. */
export const CACHED_TABLES = [
  'escalation_policies',
  'escalation_rules',
  'sla_targets',
  'integrations',
] as const;
export type CachedTable = (typeof CACHED_TABLES)[number];

// Far more than any install has policies or integrations; only a bug could reach it, and then the shelf
// starts over instead of growing without bound.
const MAX_ENTRIES = 10_000;

/**
 * Loads by key, shared while in flight and kept once done, until clear(). A load that fails, or whose
 * value `keep` refuses, is not kept. Clearing drops in-flight loads too: what they return may predate
 * the change that cleared them, so only their own callers see it. Every caller gets the same object:
 * read it, never change it (a policy snapshot is serialised into the workflow's input as it is).
 */
class Shelf<T> {
  private entries = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const loading = load();
    this.entries.set(key, loading);
    const forget = () => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    };
    void loading.then((value) => (keep(value) ? undefined : forget()), forget);
    return loading;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Cached reads of the planning and routing-key tables; see the module comment for when they are served. */
export class PlanCache implements PlanReads {
  private live = false;
  private readonly matching = new Shelf<Awaited<ReturnType<typeof loadMatchingInputs>>>();
  private readonly policies = new Shelf<StoredPolicy | undefined>();
  private readonly sla = new Shelf<readonly SlaOverride[]>();
  private readonly integrations = new Shelf<IntegrationRecord | undefined>();

  constructor(private readonly db: Queryable) {}

  /** True while cached values are served (the change listener is up). */
  get serving(): boolean {
    return this.live;
  }

  matchingInputs() {
    return this.read(this.matching, '', () => loadMatchingInputs(this.db));
  }

  policy(id: string) {
    return this.read(this.policies, id, () => getPolicy(this.db, id));
  }

  /** Every service's overrides, loaded once: the targets picked from them are the service's own. */
  slaOverrides(_service: string) {
    return this.read(this.sla, '', () => listSlaOverrides(this.db));
  }

  /** Returns the enabled integration with this routing key, or undefined; unknown keys are never kept. */
  async integrationByKey(key: string): Promise<IntegrationRow | undefined> {
    const keyDigest = sha256Hex(key);
    const found = await this.read(
      this.integrations,
      keyDigest,
      () => findIntegrationByDigest(this.db, keyDigest),
      (r) => r !== undefined,
    );
    return admitIntegration(found, keyDigest);
  }

  /** Drops what depends on a table; a name it does not know drops everything. */
  changed(table: string): void {
    switch (table as CachedTable) {
      case 'escalation_rules':
        this.matching.clear();
        break;
      case 'escalation_policies':
        // The default policy's id is part of the matching inputs.
        this.matching.clear();
        this.policies.clear();
        break;
      case 'sla_targets':
        this.sla.clear();
        break;
      case 'integrations':
        this.integrations.clear();
        break;
      default:
        this.clear();
    }
  }

  /** Up: serve from the cache from now on. Down: query every time. Either way, start from nothing. */
  setLive(live: boolean): void {
    this.clear();
    this.live = live;
  }

  private clear(): void {
    this.matching.clear();
    this.policies.clear();
    this.sla.clear();
    this.integrations.clear();
  }

  private read<T>(
    shelf: Shelf<T>,
    key: string,
    load: () => Promise<T>,
    keep?: (value: T) => boolean,
  ): Promise<T> {
    return this.live ? shelf.get(key, load, keep) : load();
  }
}
