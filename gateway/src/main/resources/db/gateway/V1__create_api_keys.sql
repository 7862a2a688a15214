-- API keys. Only a SHA-256 of each key is stored: keys are 240 random bits, so a fast hash is enough and
-- lets every request be checked with one indexed lookup.
CREATE TABLE api_keys (
    id                    uuid PRIMARY KEY,
    name                  text        NOT NULL,
    prefix                text        NOT NULL,
    key_sha256            text        NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
    scopes                text[]      NOT NULL,
    rate_limit_per_minute integer     CHECK (rate_limit_per_minute > 0),
    created_by            text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_used_at          timestamptz,
    revoked_at            timestamptz
);

CREATE INDEX api_keys_active_idx ON api_keys (created_at) WHERE revoked_at IS NULL;
