-- An Idempotency-Key is bound to the request it first came with: a digest of who sent it, to
-- which endpoint, and its body in canonical form. A retry under the same key with another
-- request is refused instead of being answered with the first write's result. Rows written
-- before this column have none and are answered as retries, as they were.
alter table event add column request_digest text;
alter table team_photo add column request_digest text;
