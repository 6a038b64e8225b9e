"""The outbox's tables in the state file: here, apart from `outbox.py`, because the state file's
migrations (`publish/state.py`) rebuild them too and `outbox.py` runs those migrations."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    periods TEXT NOT NULL,          -- JSON: scorecard id -> period rated
    transitions INTEGER NOT NULL,   -- transitions found
    new_alerts INTEGER NOT NULL     -- outbox rows this run added
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY,
    route TEXT NOT NULL,            -- the route's channel, as configured
    scorecard TEXT NOT NULL,
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    from_band TEXT NOT NULL,
    to_band TEXT NOT NULL,
    kinds TEXT NOT NULL,            -- comma-separated: turned_red, band_change
    alert_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,          -- JSON of the Transition: aggregates only
    run_id INTEGER NOT NULL REFERENCES alert_runs(id),
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    slack_channel TEXT,
    slack_ts TEXT,
    delivered_at TEXT,
    found_in_history INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',  -- what else makes an alert on the data unique (a restated value)
    dropped_reason TEXT,            -- why a pending alert will not be sent (its route is gone)
    UNIQUE (route, scorecard, measure, period, from_band, to_band, detail)
);
CREATE INDEX IF NOT EXISTS alert_outbox_status ON alert_outbox (status, route);
CREATE TABLE IF NOT EXISTS alert_channels (
    name TEXT PRIMARY KEY,          -- a route's channel as configured (#name)
    channel_id TEXT NOT NULL        -- Slack's id for it, learnt from a reply
);
"""
