-- +goose Up
-- An idempotency key is scoped to the inference or episode the feedback is
-- about: the same key on another target is other feedback, not a repeat.
-- Every key was unique before, so the new indexes build on any existing
-- database. Two partial indexes, as inference_id is NULL on episode
-- feedback (and NULLs never conflict in a unique index).
DROP INDEX feedback_idempotency;
CREATE UNIQUE INDEX feedback_idempotency_inference ON feedback (inference_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND inference_id IS NOT NULL;
CREATE UNIQUE INDEX feedback_idempotency_episode ON feedback (episode_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND episode_id <> '';

-- +goose Down
-- Fails if a key was used on two targets since the upgrade.
DROP INDEX feedback_idempotency_episode;
DROP INDEX feedback_idempotency_inference;
CREATE UNIQUE INDEX feedback_idempotency ON feedback (idempotency_key) WHERE idempotency_key IS NOT NULL;
