-- Which connected account (accounts.connected_accounts.id) a platform target posts under;
-- NULL: the business's default account for that platform when it publishes.
ALTER TABLE post_targets ADD COLUMN account_id text;
