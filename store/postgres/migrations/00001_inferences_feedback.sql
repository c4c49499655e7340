-- +goose Up
CREATE TABLE inferences (
    id                uuid             NOT NULL PRIMARY KEY,
    episode_id        text             NOT NULL,
    user_id           text             NOT NULL DEFAULT '',
    endpoint          text             NOT NULL DEFAULT '',
    route             text             NOT NULL DEFAULT '',
    backend           text             NOT NULL DEFAULT '',
    model             text             NOT NULL DEFAULT '',
    attempts          integer          NOT NULL DEFAULT 0,
    fallback_depth    integer          NOT NULL DEFAULT 0,
    stream            boolean          NOT NULL DEFAULT false,
    degraded          boolean          NOT NULL DEFAULT false,
    status            text             NOT NULL DEFAULT '',
    http_status       integer          NOT NULL DEFAULT 0,
    error_class       text             NOT NULL DEFAULT '',
    start_time        timestamptz      NOT NULL,
    end_time          timestamptz      NOT NULL,
    latency_us        bigint           NOT NULL DEFAULT 0,
    ttft_us           bigint           NOT NULL DEFAULT 0,
    tokens_in         integer          NOT NULL DEFAULT 0,
    tokens_out        integer          NOT NULL DEFAULT 0,
    tokens_per_second double precision NOT NULL DEFAULT 0,
    request           text             NOT NULL DEFAULT '',
    response          text             NOT NULL DEFAULT ''
);
-- Rows of a few KB (a captured prompt and answer) stay in the table page
-- as they are, instead of being compressed or moved to TOAST on the write
-- path: writes are the hot path, and large captures still go to TOAST.
ALTER TABLE inferences SET (toast_tuple_target = 8160);
CREATE INDEX inferences_start ON inferences (start_time);
CREATE INDEX inferences_episode ON inferences (episode_id);
CREATE INDEX inferences_route ON inferences (route, id);

CREATE TABLE feedback (
    id              uuid             NOT NULL PRIMARY KEY,
    inference_id    uuid,            -- no foreign key: the inference may still be queued, or pruned
    episode_id      text             NOT NULL DEFAULT '',
    metric          text             NOT NULL,
    kind            text             NOT NULL,
    value           double precision,
    text            text             NOT NULL DEFAULT '',
    comment         text             NOT NULL DEFAULT '',
    demonstration   text             NOT NULL DEFAULT '',
    idempotency_key text,
    created         timestamptz      NOT NULL
);
CREATE UNIQUE INDEX feedback_idempotency ON feedback (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX feedback_inference ON feedback (inference_id) WHERE inference_id IS NOT NULL;
CREATE INDEX feedback_episode ON feedback (episode_id) WHERE episode_id <> '';
CREATE INDEX feedback_metric ON feedback (metric, id);

-- +goose Down
DROP TABLE feedback;
DROP TABLE inferences;
