-- The instance answering a chat message (instances.id, migration 080): another instance may take the
-- message over once that one is no longer alive, not only once MESSAGE_CLAIM_MS passed, so WeChat's
-- retries after an instance died still get an answer. NULL on claims made before this column existed.
ALTER TABLE conversation_messages ADD COLUMN claimed_by text;
