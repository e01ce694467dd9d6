-- Which server processes on this database are alive (src/store/pg/instance.ts): each instance beats
-- (seen_at = now()) every few seconds; one not seen for a while has died, and what it held is taken
-- over then instead of when its leases run out.
CREATE TABLE instances (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (office, id)
);
CREATE INDEX instances_seen ON instances (office, seen_at);

-- The instance whose outbox pass holds a delivery's claim (instances.id): free once that instance is
-- no longer alive, or once claimed_until passed. NULL on claims made before this column existed.
ALTER TABLE notify_deliveries ADD COLUMN claimed_by text;
