-- The rate limiters' counters (store/rate-limits.ts), shared by every API process so that N processes
-- behind a balancer allow the limit once, not N times. One row per limited thing (an API key's id, an
-- integration's id, a client address), its hits in the window that ends at reset_at; a hit after
-- reset_at starts a new window. Unlogged: counters are worth no WAL, and after a crash or a failover
-- they start from zero, which only forgives a minute's hits.
create unlogged table rate_limit_hits (
  key text primary key,
  hits integer not null,
  reset_at timestamptz not null
);
