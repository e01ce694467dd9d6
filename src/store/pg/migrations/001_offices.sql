-- The offices one service runs for. Every other table names the office each row belongs to (its
-- first key column) and references this one; a single office, `default`, until a city adds more.
CREATE TABLE offices (
  id text PRIMARY KEY,
  name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO offices (id) VALUES ('default');
