-- +goose Up
CREATE TABLE inferences (
    id                TEXT    NOT NULL PRIMARY KEY,
    episode_id        TEXT    NOT NULL,
    user_id           TEXT    NOT NULL DEFAULT '',
    endpoint          TEXT    NOT NULL DEFAULT '',
    route             TEXT    NOT NULL DEFAULT '',
    backend           TEXT    NOT NULL DEFAULT '',
    model             TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    fallback_depth    INTEGER NOT NULL DEFAULT 0,
    stream            INTEGER NOT NULL DEFAULT 0,
    degraded          INTEGER NOT NULL DEFAULT 0,
    status            TEXT    NOT NULL DEFAULT '',
    http_status       INTEGER NOT NULL DEFAULT 0,
    error_class       TEXT    NOT NULL DEFAULT '',
    start_us          INTEGER NOT NULL,  -- Unix microseconds, UTC
    end_us            INTEGER NOT NULL,
    latency_us        INTEGER NOT NULL DEFAULT 0,
    ttft_us           INTEGER NOT NULL DEFAULT 0,
    tokens_in         INTEGER NOT NULL DEFAULT 0,
    tokens_out        INTEGER NOT NULL DEFAULT 0,
    tokens_per_second REAL    NOT NULL DEFAULT 0,
    request           TEXT    NOT NULL DEFAULT '',
    response          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX inferences_start ON inferences (start_us);
CREATE INDEX inferences_episode ON inferences (episode_id);
CREATE INDEX inferences_route ON inferences (route, id);

CREATE TABLE feedback (
    id              TEXT NOT NULL PRIMARY KEY,
    inference_id    TEXT NOT NULL DEFAULT '',  -- no foreign key: the inference may still be queued, or pruned
    episode_id      TEXT NOT NULL DEFAULT '',
    metric          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    value           REAL,
    text            TEXT NOT NULL DEFAULT '',
    comment         TEXT NOT NULL DEFAULT '',
    demonstration   TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_us      INTEGER NOT NULL
);
CREATE UNIQUE INDEX feedback_idempotency ON feedback (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX feedback_inference ON feedback (inference_id) WHERE inference_id <> '';
CREATE INDEX feedback_episode ON feedback (episode_id) WHERE episode_id <> '';
CREATE INDEX feedback_metric ON feedback (metric, id);

CREATE TABLE store_meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE store_meta;
DROP TABLE feedback;
DROP TABLE inferences;
