-- The catalog (proactive-disclosure items), its subscribers, and the push ledger.

-- Counters of one office's catalog: the per-year 索引号 sequences and the publication number. The
-- row is locked by every write that numbers something, so publication numbers are handed out in
-- commit order: the push cursor never passes a number whose item is not yet visible.
CREATE TABLE catalog_state (
  office text NOT NULL REFERENCES offices(id),
  publish_seq bigint NOT NULL DEFAULT 0,
  index_sequences jsonb NOT NULL DEFAULT '{}',
  last_feed_import jsonb,
  PRIMARY KEY (office)
);

-- One item, read whole from `data`; the columns are what lists filter and order on, derived from
-- `data` by the repository at every write (state from the events, the search texts as search.ts
-- builds them, lower-cased).
CREATE TABLE catalog_items (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  -- Insertion order: ties in a list keep the order items were stored in, as on the embedded engine.
  ord bigint GENERATED ALWAYS AS IDENTITY,
  index_no text NOT NULL,
  url_key text,
  source text NOT NULL,
  category text NOT NULL,
  state text NOT NULL,
  created_at text NOT NULL,
  pub_seq bigint,
  pub_on text,
  search_text text NOT NULL,
  related_text text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, id)
);
CREATE UNIQUE INDEX catalog_items_index_no ON catalog_items (office, index_no);
CREATE INDEX catalog_items_url ON catalog_items (office, url_key);
CREATE INDEX catalog_items_state ON catalog_items (office, state, created_at);
CREATE INDEX catalog_items_published ON catalog_items (office, pub_on DESC, pub_seq DESC) WHERE pub_seq IS NOT NULL;
CREATE UNIQUE INDEX catalog_items_pub_seq ON catalog_items (office, pub_seq) WHERE pub_seq IS NOT NULL;

-- Who wants a digest of which categories. `ord` keeps the order they subscribed in (the push job
-- pages through them in it); a subscriber moved to another channel keeps its place.
CREATE TABLE subscribers (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  ord bigint GENERATED ALWAYS AS IDENTITY,
  categories text[] NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, key)
);
CREATE INDEX subscribers_order ON subscribers (office, ord);
CREATE INDEX subscribers_categories ON subscribers USING gin (categories);

-- The push cursor (the highest publication number given to a run) and the run sequence: moved in
-- the transaction that plans a run, with this row locked, so two instances never plan one slot twice.
CREATE TABLE push_state (
  office text NOT NULL REFERENCES offices(id),
  cursor bigint NOT NULL DEFAULT 0,
  run_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (office)
);

CREATE TABLE push_runs (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  seq bigint NOT NULL,
  state text NOT NULL,
  -- The instance working on the run says it is alive (the database's clock, not a domain date):
  -- while this is fresh, another instance does not start a second attempt at the run.
  alive_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL,
  PRIMARY KEY (office, id),
  UNIQUE (office, seq)
);
CREATE INDEX push_runs_unfinished ON push_runs (office, seq) WHERE state <> 'finished';

-- One row per (run, subscriber): written as 'sending' by the sender that claims it (INSERT … ON
-- CONFLICT DO NOTHING), before the digest goes out, so no subscriber gets two digests of one run.
CREATE TABLE push_deliveries (
  office text NOT NULL REFERENCES offices(id),
  run_id text NOT NULL,
  subscriber text NOT NULL,
  state text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, run_id, subscriber),
  FOREIGN KEY (office, run_id) REFERENCES push_runs (office, id) ON DELETE CASCADE
);
CREATE INDEX push_deliveries_state ON push_deliveries (office, run_id, state);

-- Digests WeChat accepted per China day and channel, for the daily quotas.
CREATE TABLE push_sent_days (
  office text NOT NULL REFERENCES offices(id),
  day text NOT NULL,
  channel text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (office, day, channel)
);
