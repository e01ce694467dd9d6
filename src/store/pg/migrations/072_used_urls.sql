-- Signed webhook URLs any instance accepted, until their timestamp leaves the replay window
-- (src/wechat/used-urls.ts): a URL captured in plain mode cannot be replayed at another instance.
CREATE TABLE used_urls (
  office text NOT NULL REFERENCES offices(id),
  key text NOT NULL,
  body_digest text NOT NULL,
  until timestamptz NOT NULL,
  PRIMARY KEY (office, key)
);
CREATE INDEX used_urls_until ON used_urls (office, until);
