-- +goose Up
-- An idempotency key is scoped to the inference or episode the feedback is
-- about: the same key on another target is other feedback, not a repeat.
-- Every key was unique before, so the new index builds on any existing file.
DROP INDEX feedback_idempotency;
CREATE UNIQUE INDEX feedback_idempotency ON feedback (inference_id, episode_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- +goose Down
-- Fails if a key was used on two targets since the upgrade.
DROP INDEX feedback_idempotency;
CREATE UNIQUE INDEX feedback_idempotency ON feedback (idempotency_key) WHERE idempotency_key IS NOT NULL;
