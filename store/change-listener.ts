/**
 * One dedicated connection that LISTENs for configuration changes (the triggers of
 * sql/000011-config-change-notify.sql) and reports them, so a cache of those tables can be trusted
 * exactly while the connection is up. A connection that drops is reconnected with a bounded backoff;
 * a heartbeat notices one that died silently.
 */
import pg from 'pg';

export const CONFIG_CHANGED_CHANNEL = 'klaxon_config_changed';
/** Every new alert row, with its id (sql/000016-alert-recorded-notify.sql). */
export const ALERT_RECORDED_CHANNEL = 'klaxon_alert_recorded';

/** The listener's application_name, so operators (and tests) can tell its connection from the pool's. */
export const LISTENER_APPLICATION_NAME = 'klaxon-listener';

export interface ChangeListenerOptions {
  /** Returns a new, unconnected client; called once per connection attempt. */
  newClient: () => pg.Client;
  /** A table changed: its name as the trigger sent it. */
  onChange(table: string): void;
  /** An alert was recorded (committed): its id. */
  onAlertRecorded?(alertId: string): void;
  /**
   * Up (true): LISTEN is in place and from now on every committed change is reported. Down (false, with
   * the reason): changes may go unseen until it is up again, and everything may have changed meanwhile.
   */
  onLive(live: boolean, err?: unknown): void;
  /** Reconnect delays: doubling from initialMs up to maxMs, back to initialMs once listening again. */
  backoff?: { initialMs: number; maxMs: number };
  /** How often a quiet connection is checked with a query, and how long that query may take. */
  heartbeat?: { everyMs: number; timeoutMs: number };
}

export interface ChangeListener {
  /** True while every committed change is being reported. */
  readonly live: boolean;
  /** Stops listening and closes the connection; no callback is called after it resolves. */
  close(): Promise<void>;
}

/** Returns a client for the listener: its own connection, kept alive, named LISTENER_APPLICATION_NAME. */
export function listenerClient(connectionString: string): pg.Client {
  return new pg.Client({ connectionString, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
}

/** Starts listening at once (retrying until it can); returns the handle to observe and close it. */
export function listenForChanges(opts: ChangeListenerOptions): ChangeListener {
  const backoff = opts.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const heartbeat = opts.heartbeat ?? { everyMs: 10_000, timeoutMs: 5_000 };
  let closed = false;
  let live = false;
  let current: pg.Client | undefined;
  let delay = backoff.initialMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let beatTimer: NodeJS.Timeout | undefined;

  const down = (client: pg.Client, err?: unknown) => {
    if (client !== current) return; // already handled: 'error' and 'end' both come for one loss
    current = undefined;
    clearInterval(beatTimer);
    client.end().catch(() => {});
    if (live) {
      live = false;
      if (!closed) opts.onLive(false, err);
    }
    if (closed) return;
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, backoff.maxMs);
  };

  const beat = async (client: pg.Client) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to the listener's heartbeat in ${heartbeat.timeoutMs} ms`)),
        heartbeat.timeoutMs,
      );
    });
    try {
      await Promise.race([client.query('select 1'), late]);
    } catch (err) {
      down(client, err);
    } finally {
      clearTimeout(timer);
    }
  };

  const connect = async () => {
    if (closed) return;
    const client = opts.newClient();
    current = client;
    client.on('error', (err) => down(client, err));
    client.on('end', () => down(client, new Error('listener connection ended')));
    client.on('notification', (msg) => {
      if (client !== current || closed) return;
      if (msg.channel === CONFIG_CHANGED_CHANNEL) opts.onChange(msg.payload ?? '');
      else if (msg.channel === ALERT_RECORDED_CHANNEL && msg.payload) opts.onAlertRecorded?.(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${CONFIG_CHANGED_CHANNEL}`);
      if (opts.onAlertRecorded) await client.query(`listen ${ALERT_RECORDED_CHANNEL}`);
    } catch (err) {
      down(client, err);
      return;
    }
    if (client !== current || closed) {
      await client.end().catch(() => {});
      return;
    }
    delay = backoff.initialMs;
    live = true;
    opts.onLive(true);
    beatTimer = setInterval(() => void beat(client), heartbeat.everyMs);
    beatTimer.unref();
  };

  void connect();
  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      clearTimeout(retryTimer);
      clearInterval(beatTimer);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}
