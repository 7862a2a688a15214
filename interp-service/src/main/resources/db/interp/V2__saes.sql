-- Sparse autoencoders in SAELens format (a folder under the artifacts root), trained here or imported. A name is
-- unique per model and hook.
CREATE TABLE saes (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL,
    model       TEXT        NOT NULL,
    hook        TEXT        NOT NULL,
    d_in        INT         NOT NULL,
    d_sae       INT         NOT NULL,
    k           INT,
    folder      TEXT        NOT NULL,
    source      TEXT        NOT NULL CHECK (source IN ('trained', 'imported')),
    run_id      UUID,
    metrics     JSONB,
    created_by  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (model, hook, name)
);
