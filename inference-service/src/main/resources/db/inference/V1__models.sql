-- Checkpoint folders registered for serving, by id. Paths are relative to the models root.
CREATE TABLE models (
    id            TEXT PRIMARY KEY,
    path          TEXT        NOT NULL,
    architecture  TEXT        NOT NULL,
    registered_by TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
