-- Activation sets: labelled inputs captured through the inference service. The set's id is the id of the run that
-- captured it; shards, labels and metadata live under the artifacts root in activation-sets/<id>/.
CREATE TABLE activation_sets (
    id            UUID        PRIMARY KEY,
    name          TEXT        NOT NULL,
    model         TEXT        NOT NULL,
    hooks         TEXT[]      NOT NULL,
    pooling       TEXT        NOT NULL,
    row_count     INT         NOT NULL,
    label_counts  JSONB       NOT NULL,
    folder        TEXT        NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('capturing', 'ready', 'failed')),
    widths        JSONB,
    created_by    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at  TIMESTAMPTZ
);

-- Stored vectors (directions, trait vectors, algebra results), by id in every inference request (vector_id).
-- A name is unique per model and hook: that is the namespace steering-vector expressions resolve names in.
CREATE TABLE vectors (
    id          UUID             PRIMARY KEY,
    name        TEXT             NOT NULL,
    model       TEXT             NOT NULL,
    hook        TEXT             NOT NULL,
    layer       INT,
    width       INT              NOT NULL,
    norm        DOUBLE PRECISION NOT NULL,
    kind        TEXT             NOT NULL CHECK (kind IN ('direction', 'trait', 'orthogonalized', 'expression')),
    data        BYTEA            NOT NULL,
    provenance  JSONB            NOT NULL,
    created_by  TEXT,
    created_at  TIMESTAMPTZ      NOT NULL DEFAULT now(),
    UNIQUE (model, hook, name)
);

-- Analyses computed from activation sets (granularity, persona vectors): the request, the result, the plots.
CREATE TABLE analyses (
    id          UUID        PRIMARY KEY,
    kind        TEXT        NOT NULL,
    set_id      UUID        NOT NULL REFERENCES activation_sets (id),
    request     JSONB       NOT NULL,
    result      JSONB       NOT NULL,
    plots       TEXT[]      NOT NULL,
    created_by  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Steering policies: compose interventions over stored vectors, whose coefficients the inference service
-- recomputes every step (target-seeking, clipped) or follows as a schedule.
CREATE TABLE steering_policies (
    id            UUID        PRIMARY KEY,
    name          TEXT        NOT NULL,
    model         TEXT        NOT NULL,
    hook          TEXT        NOT NULL,
    intervention  JSONB       NOT NULL,
    created_by    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
