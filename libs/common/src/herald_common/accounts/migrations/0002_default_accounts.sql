-- Which account posts under a business's name on a platform when a post names none: the one
-- marked default, never "the most recently updated" (a token refresh must not change the
-- author of the next post). At most one default per business and platform.
ALTER TABLE connected_accounts ADD COLUMN is_default boolean NOT NULL DEFAULT false;
UPDATE connected_accounts c SET is_default = true
 WHERE id = (SELECT id FROM connected_accounts f
              WHERE f.business_id = c.business_id AND f.platform = c.platform
              ORDER BY created_at, id LIMIT 1);
CREATE UNIQUE INDEX connected_accounts_one_default
    ON connected_accounts (business_id, platform) WHERE is_default;
