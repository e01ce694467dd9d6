-- The chat (src/store/pg/conversations-repo.ts) and what staff taught the guide
-- (src/store/pg/guide-additions-repo.ts).

-- One row per user who ever had a chat form. The row stays when the form ends (form NULL): its
-- version only grows, so a turn worked out from an old read can never match a newer state.
CREATE TABLE conversations (
  office text NOT NULL REFERENCES offices(id),
  openid text NOT NULL,
  form jsonb,
  version integer NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (office, openid)
);

-- A message being answered (answered_at NULL: claimed at claimed_at) or answered, with its reply:
-- the key makes WeChat's retries of one push one message, whichever instance each reaches.
CREATE TABLE conversation_messages (
  office text NOT NULL REFERENCES offices(id),
  openid text NOT NULL,
  message_id text NOT NULL,
  claimed_at text NOT NULL,
  answered_at text,
  reply text,
  PRIMARY KEY (office, openid, message_id)
);
-- Rows past their retention are dropped by age.
CREATE INDEX conversation_messages_claimed ON conversation_messages (office, claimed_at);

-- Questions the guide could not answer, for the console's 未答问题 page; seq is the order recorded.
CREATE TABLE unanswered_questions (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  status text NOT NULL,
  at text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, id)
);
CREATE INDEX unanswered_questions_status ON unanswered_questions (office, status, seq);
CREATE INDEX unanswered_questions_seq ON unanswered_questions (office, seq);

-- Staff's additions to the guide, read whole (in order) when the guide is built.
CREATE TABLE guide_phrasings (
  office text NOT NULL REFERENCES offices(id),
  seq bigint GENERATED ALWAYS AS IDENTITY,
  entry_id text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, seq)
);

CREATE TABLE guide_entries (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  data jsonb NOT NULL,
  PRIMARY KEY (office, id)
);
CREATE INDEX guide_entries_seq ON guide_entries (office, seq);
