-- Notifications (src/store/pg/notify-repo.ts): notify's own outbox entries, which entries are
-- planned, one delivery per recipient, subscribe consents, the customer-service window, staff
-- binding codes and wrong-code counts. Deliveries are documents (data) with the columns the outbox,
-- the console and the metrics filter on beside them.
CREATE TABLE notify_entries (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  kind text NOT NULL,
  created_at text NOT NULL,
  -- Set in the transaction that planned the entry's deliveries (notify_planned holds the gate).
  planned boolean NOT NULL DEFAULT false,
  data jsonb NOT NULL,
  PRIMARY KEY (office, key)
);
CREATE INDEX notify_entries_unplanned ON notify_entries (office, created_at, key) WHERE NOT planned;
CREATE INDEX notify_entries_kind ON notify_entries (office, kind, created_at);

-- One row per planned entry, an application's intent or an own entry: two instances planning the
-- same entry at once create one set of deliveries (INSERT … ON CONFLICT DO NOTHING decides).
CREATE TABLE notify_planned (
  office text NOT NULL REFERENCES offices(id),
  entry_key text NOT NULL,
  planned_at text NOT NULL,
  PRIMARY KEY (office, entry_key)
);

CREATE TABLE notify_deliveries (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  entry_key text NOT NULL,
  application_id text,
  status text NOT NULL,
  next_attempt_at text NOT NULL,
  -- The recipient's openid: what waits for a user's next message is found by it.
  openid text,
  confirmed boolean,
  -- For the metrics: the channel a pending delivery is tried on next, the last one tried, and the
  -- failed attempts in its history by channel.
  next_channel text,
  last_channel text,
  failed_attempts jsonb NOT NULL DEFAULT '{}',
  -- The outbox pass of one instance holds it until then (claimDue … FOR UPDATE SKIP LOCKED).
  claimed_until text,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, key)
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (office, next_attempt_at) WHERE status = 'pending';
CREATE INDEX notify_deliveries_status ON notify_deliveries (office, status, updated_at DESC, key);
CREATE INDEX notify_deliveries_awaiting ON notify_deliveries (office, openid) WHERE status = 'awaiting-user';
CREATE INDEX notify_deliveries_application ON notify_deliveries (office, application_id, created_at) WHERE application_id IS NOT NULL;
CREATE INDEX notify_deliveries_failures ON notify_deliveries (office) WHERE failed_attempts <> '{}'::jsonb;

CREATE TABLE notify_consents (
  office text NOT NULL REFERENCES offices(id),
  openid text NOT NULL,
  template_id text NOT NULL,
  credits integer NOT NULL,
  long_term boolean NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (office, openid, template_id)
);

CREATE TABLE notify_interactions (
  office text NOT NULL REFERENCES offices(id),
  openid text NOT NULL,
  at text NOT NULL,
  PRIMARY KEY (office, openid)
);

-- One live code per staff member, and a code is one person's.
CREATE TABLE notify_binding_codes (
  office text NOT NULL REFERENCES offices(id),
  code text NOT NULL,
  username text NOT NULL,
  expires_at text NOT NULL,
  PRIMARY KEY (office, code),
  UNIQUE (office, username)
);
CREATE INDEX notify_binding_codes_expiry ON notify_binding_codes (office, expires_at);

CREATE TABLE notify_binding_failures (
  office text NOT NULL REFERENCES offices(id),
  openid text NOT NULL,
  count integer NOT NULL,
  since text NOT NULL,
  PRIMARY KEY (office, openid)
);
