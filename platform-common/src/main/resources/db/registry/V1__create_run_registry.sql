-- The shared run registry. Owned by platform-common; every service applies it on start (Flyway holds
-- an advisory lock, so services may start in any order and at the same time against an empty database).

CREATE TABLE runs (
    id               uuid PRIMARY KEY,
    service          text        NOT NULL,
    kind             text        NOT NULL,
    name             text        NOT NULL,
    status           text        NOT NULL
        CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    params           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    tags             jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(tags) = 'object'),
    parent_id        uuid        REFERENCES runs (id),
    progress         double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    error            text,
    created_by       text,
    -- job lease: bumped each time a worker takes the job, checked on every write the job makes
    attempt          integer     NOT NULL DEFAULT 0,
    worker           text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    heartbeat_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_created_idx ON runs (created_at DESC, id DESC);
CREATE INDEX runs_service_kind_status_idx ON runs (service, kind, status);
CREATE INDEX runs_status_idx ON runs (status);
CREATE INDEX runs_parent_idx ON runs (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX runs_tags_idx ON runs USING gin (tags jsonb_path_ops);

-- Metric history as MLflow keeps it: several values per (key, step) are allowed, the job machinery keeps
-- a resumed job from writing a step twice.
CREATE TABLE run_metrics (
    run_id    uuid             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key       text             NOT NULL,
    step      bigint           NOT NULL,
    value     double precision NOT NULL,
    logged_at timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX run_metrics_key_step_idx ON run_metrics (run_id, key, step);

CREATE TABLE run_artifacts (
    run_id     uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    uri        text        NOT NULL,
    sha256     text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint      CHECK (size_bytes >= 0),
    media_type text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, name)
);

-- Everything a watcher may want live: status changes, progress, checkpoints, messages. The global seq is the
-- SSE event id, so a reconnecting client resumes with Last-Event-ID.
CREATE TABLE run_events (
    seq        bigserial PRIMARY KEY,
    run_id     uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    type       text        NOT NULL,
    data       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX run_events_run_idx ON run_events (run_id, seq);

CREATE FUNCTION notify_run_event() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('lmlab_run_events', NEW.run_id::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER run_events_notify AFTER INSERT ON run_events
    FOR EACH ROW EXECUTE FUNCTION notify_run_event();

-- The last checkpoint of a durable job: where a revived job resumes.
CREATE TABLE job_checkpoints (
    run_id     uuid        PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    next_step  bigint      NOT NULL CHECK (next_step >= 0),
    state      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    attempt    integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key on submissions: one key, within one scope (service and caller), maps to one run forever.
CREATE TABLE idempotency_keys (
    scope          text        NOT NULL,
    key            text        NOT NULL,
    request_sha256 text        NOT NULL,
    run_id         uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
