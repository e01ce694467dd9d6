-- Disclosure requests (src/store/pg/applications-repo.ts). A request is read whole (data, without its
-- events) with its events (one row each, numbered: the number is part of the key, so two instances
-- appending the same step cannot both succeed); what lists filter on is a column beside it, derived
-- from the events on every append (status, closed, received_on, closed_on).
CREATE TABLE applications (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  -- The order requests were stored in (lists "oldest first", batches).
  position bigint GENERATED ALWAYS AS IDENTITY,
  tracking_no text NOT NULL,
  created_at text NOT NULL,
  openid text,
  -- identityKey(applicant): the ID number or credit code, upper case (duplicate detection).
  identity_key text,
  status text NOT NULL,
  -- Delivered or closed: nothing follows (domain isFinished).
  closed boolean NOT NULL,
  received_on text,
  closed_on text,
  event_count integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, id),
  UNIQUE (office, tracking_no)
);
CREATE INDEX applications_position ON applications (office, position);
CREATE INDEX applications_open ON applications (office, position) WHERE NOT closed;
CREATE INDEX applications_openid ON applications (office, openid) WHERE openid IS NOT NULL;
CREATE INDEX applications_identity ON applications (office, identity_key) WHERE identity_key IS NOT NULL;
CREATE INDEX applications_received_on ON applications (office, received_on);
CREATE INDEX applications_closed_on ON applications (office, closed_on);

CREATE TABLE application_events (
  office text NOT NULL REFERENCES offices(id),
  application_id text NOT NULL,
  idx integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, application_id, idx),
  FOREIGN KEY (office, application_id) REFERENCES applications (office, id)
);

-- Tracking numbers: the last number handed out per year, taken with the row locked in the insert's
-- transaction (INSERT … ON CONFLICT DO UPDATE … RETURNING).
CREATE TABLE application_sequences (
  office text NOT NULL REFERENCES offices(id),
  year integer NOT NULL,
  last integer NOT NULL,
  PRIMARY KEY (office, year)
);

-- A retried submit: the key (scoped to the user) names the request the first one stored.
CREATE TABLE application_idempotency (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  application_id text NOT NULL,
  at text NOT NULL,
  PRIMARY KEY (office, key),
  FOREIGN KEY (office, application_id) REFERENCES applications (office, id)
);

-- The notifications an event causes, written with it; planned once the outbox made its deliveries.
CREATE TABLE application_intents (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  position bigint GENERATED ALWAYS AS IDENTITY,
  application_id text NOT NULL,
  event_index integer NOT NULL,
  kind text NOT NULL,
  audience text NOT NULL,
  created_at text NOT NULL,
  planned boolean NOT NULL DEFAULT false,
  PRIMARY KEY (office, key),
  FOREIGN KEY (office, application_id) REFERENCES applications (office, id)
);
CREATE INDEX application_intents_pending ON application_intents (office, position) WHERE NOT planned;
