-- What several instances share beside the data (src/store/pg/coordination.ts).

-- One row per scheduled fire of a job: the instance that inserted it runs it; `lease_until` is
-- renewed while it runs, so a run whose instance died is taken over once the lease runs out.
CREATE TABLE job_runs (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  holder text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz NOT NULL,
  finished_at timestamptz,
  ok boolean,
  takeovers integer NOT NULL DEFAULT 0,
  PRIMARY KEY (office, key)
);
CREATE INDEX job_runs_unfinished ON job_runs (office, lease_until) WHERE finished_at IS NULL;

-- The access token of each WeChat account, refreshed by one instance for all.
CREATE TABLE wechat_tokens (
  office text NOT NULL REFERENCES offices(id),
  appid text NOT NULL,
  access_token text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (office, appid)
);

-- Secrets every instance signs with (the letter-link key).
CREATE TABLE shared_secrets (
  office text NOT NULL REFERENCES offices(id),
  name text NOT NULL,
  value bytea NOT NULL,
  PRIMARY KEY (office, name)
);
