-- Staff accounts, sessions (staff and mini-program), login attempt windows, the audit log of account
-- changes, and the two WeChat identities of one citizen with their link codes.

CREATE TABLE staff_users (
  office text NOT NULL REFERENCES offices(id),
  username text NOT NULL,
  -- The order they were added in, which lists keep.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  data jsonb NOT NULL,
  PRIMARY KEY (office, username)
);

-- Looked up by the hash of the presented token on every authenticated request.
CREATE TABLE sessions (
  office text NOT NULL REFERENCES offices(id),
  token_hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('staff', 'mp')),
  subject text NOT NULL,
  created_at text NOT NULL,
  expires_at text NOT NULL,
  csrf text,
  PRIMARY KEY (office, token_hash)
);
CREATE INDEX sessions_subject ON sessions (office, kind, subject);
CREATE INDEX sessions_expiry ON sessions (office, expires_at);

-- Login attempts (src/accounts/login-guard.ts), shared by every instance: a name from anywhere
-- (address ''), an address over every name (username ''), or a name from one address. Times in ms.
CREATE TABLE login_windows (
  office text NOT NULL REFERENCES offices(id),
  username text NOT NULL,
  address text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  in_flight integer NOT NULL DEFAULT 0,
  in_flight_at bigint NOT NULL DEFAULT 0,
  blocked_until bigint NOT NULL DEFAULT 0,
  last_failure bigint NOT NULL DEFAULT 0,
  rate_start bigint NOT NULL DEFAULT 0,
  rate_count integer NOT NULL DEFAULT 0,
  touched bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (office, username, address)
);
CREATE INDEX login_windows_touched ON login_windows (office, touched);

-- Append-only; read newest first, all or of one account.
CREATE TABLE audit_entries (
  office text NOT NULL REFERENCES offices(id),
  seq bigint GENERATED ALWAYS AS IDENTITY,
  target text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, seq)
);
CREATE INDEX audit_entries_target ON audit_entries (office, target, seq);

CREATE TABLE identities (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  person text NOT NULL,
  unionid text,
  data jsonb NOT NULL,
  PRIMARY KEY (office, key)
);
CREATE INDEX identities_person ON identities (office, person);
CREATE INDEX identities_unionid ON identities (office, unionid) WHERE unionid IS NOT NULL;

-- Only hashes of link codes; a code is used up by deleting its row, which one redemption wins.
CREATE TABLE link_codes (
  office text NOT NULL REFERENCES offices(id),
  hash text NOT NULL,
  owner text NOT NULL,
  expires_at text NOT NULL,
  PRIMARY KEY (office, hash)
);
CREATE INDEX link_codes_owner ON link_codes (office, owner);

-- Failed redemptions ('attempts', per identity and '*' over everyone) and issued codes ('issued').
CREATE TABLE link_windows (
  office text NOT NULL REFERENCES offices(id),
  kind text NOT NULL CHECK (kind IN ('attempts', 'issued')),
  key text NOT NULL,
  failures integer NOT NULL,
  since text NOT NULL,
  PRIMARY KEY (office, kind, key)
);
