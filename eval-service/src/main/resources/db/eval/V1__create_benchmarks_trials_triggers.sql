-- The benchmark registry: a benchmark is a (name, version) spec with its items. A version that a run used is
-- immutable (first_used_run is set when a run is accepted against it).
CREATE TABLE benchmarks (
    name            TEXT        NOT NULL,
    version         TEXT        NOT NULL,
    spec            JSONB       NOT NULL,
    content_sha256  TEXT        NOT NULL,
    item_count      INT         NOT NULL,
    tag_counts      JSONB       NOT NULL,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    first_used_at   TIMESTAMPTZ,
    PRIMARY KEY (name, version)
);

CREATE TABLE benchmark_items (
    benchmark  TEXT  NOT NULL,
    version    TEXT  NOT NULL,
    ordinal    INT   NOT NULL,
    item_id    TEXT  NOT NULL,
    tags       TEXT[] NOT NULL,
    data       JSONB NOT NULL,
    PRIMARY KEY (benchmark, version, item_id),
    FOREIGN KEY (benchmark, version) REFERENCES benchmarks (name, version) ON DELETE CASCADE
);
CREATE INDEX benchmark_items_order ON benchmark_items (benchmark, version, ordinal);

-- One row per graded (or failed) trial of an eval run. The primary key is what makes a resumed run grade no
-- trial twice: a revived job skips the keys present, and a late write from a worker that lost its job is ignored.
CREATE TABLE trials (
    run_id             UUID        NOT NULL,
    item_id            TEXT        NOT NULL,
    trial              INT         NOT NULL,
    outcome            TEXT        NOT NULL CHECK (outcome IN ('graded', 'error', 'judge_error')),
    score              DOUBLE PRECISION,
    correct            BOOLEAN,
    prompt             TEXT,
    transcript         JSONB       NOT NULL,
    response           TEXT,
    rationale          TEXT,
    judge_output       TEXT,
    error              TEXT,
    latency_ms         BIGINT      NOT NULL,
    prompt_tokens      INT,
    completion_tokens  INT,
    graded_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, item_id, trial)
);

-- Rules that start eval runs on their own: on a checkpoint event from the training service, or on a webhook call.
CREATE TABLE triggers (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE,
    event       TEXT        NOT NULL CHECK (event IN ('checkpoint', 'webhook')),
    rule        JSONB       NOT NULL,
    enabled     BOOLEAN     NOT NULL DEFAULT true,
    created_by  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Each event a trigger acted on, once: a repeated event finds its row and starts nothing.
CREATE TABLE trigger_firings (
    trigger_id  UUID        NOT NULL REFERENCES triggers (id) ON DELETE CASCADE,
    event_key   TEXT        NOT NULL,
    run_ids     JSONB       NOT NULL,
    fired_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (trigger_id, event_key)
);
