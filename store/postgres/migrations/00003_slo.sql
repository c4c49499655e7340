-- +goose Up
-- Per-minute counts of each SLO's good and bad events (package slo). Every
-- replica adds its counts to the row of the SLO and minute, so the row
-- holds the sums of all of them.
CREATE TABLE slo_minutes (
    minute timestamptz NOT NULL,
    slo    text        NOT NULL,
    good   bigint      NOT NULL DEFAULT 0,
    bad    bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, slo)
);

-- Each firing of an SLO's burn-rate alert. At most one alert of an SLO and
-- severity is open (end_time NULL): the replica whose insert succeeds is
-- the one that announces it.
CREATE TABLE slo_alerts (
    id             bigserial   PRIMARY KEY,
    slo            text        NOT NULL,
    severity       text        NOT NULL,
    start_time     timestamptz NOT NULL,
    end_time       timestamptz,
    burn_rates     jsonb       NOT NULL DEFAULT '{}',  -- window name to burn rate, at start
    end_burn_rates jsonb                               -- the same at end
);
CREATE UNIQUE INDEX slo_alerts_open ON slo_alerts (slo, severity) WHERE end_time IS NULL;
CREATE INDEX slo_alerts_start ON slo_alerts (start_time);
CREATE INDEX slo_alerts_end ON slo_alerts (end_time);

-- +goose Down
DROP TABLE slo_alerts;
DROP TABLE slo_minutes;
