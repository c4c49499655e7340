-- +goose Up
-- Per-minute counts of each SLO's good and bad events (package slo). A
-- replica adds its counts to the row of the SLO and minute, so the row
-- holds the sums of every replica sharing the file.
CREATE TABLE slo_minutes (
    minute_us INTEGER NOT NULL,  -- start of the minute, Unix microseconds, UTC
    slo       TEXT    NOT NULL,
    good      INTEGER NOT NULL DEFAULT 0,
    bad       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (minute_us, slo)
) WITHOUT ROWID;

-- Each firing of an SLO's burn-rate alert. At most one alert of an SLO and
-- severity is open (end_us NULL): the replica whose insert succeeds is the
-- one that announces it.
CREATE TABLE slo_alerts (
    id             INTEGER PRIMARY KEY,
    slo            TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    start_us       INTEGER NOT NULL,
    end_us         INTEGER,
    burn_rates     TEXT    NOT NULL DEFAULT '{}',  -- JSON object: window name to burn rate, at start
    end_burn_rates TEXT                            -- the same at end
);
CREATE UNIQUE INDEX slo_alerts_open ON slo_alerts (slo, severity) WHERE end_us IS NULL;
CREATE INDEX slo_alerts_start ON slo_alerts (start_us);
CREATE INDEX slo_alerts_end ON slo_alerts (end_us);

-- +goose Down
DROP TABLE slo_alerts;
DROP TABLE slo_minutes;
