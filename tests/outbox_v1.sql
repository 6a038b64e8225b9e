-- The alerts outbox as it was before alerts could be dropped (issue 13): a migration test fixture.
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
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    slack_channel TEXT,
    slack_ts TEXT,
    delivered_at TEXT,
    found_in_history INTEGER NOT NULL DEFAULT 0,
    UNIQUE (route, scorecard, measure, period, from_band, to_band)
);
CREATE INDEX IF NOT EXISTS alert_outbox_status ON alert_outbox (status, route);
CREATE TABLE IF NOT EXISTS alert_channels (
    name TEXT PRIMARY KEY,          -- a route's channel as configured (#name)
    channel_id TEXT NOT NULL        -- Slack's id for it, learnt from a reply
);
INSERT INTO alert_runs (id, started_at, periods, transitions, new_alerts) VALUES (1, '2017-05-02T08:00:00+00:00', '{"cic": "2017-04"}', 1, 1);
INSERT INTO alert_outbox (route, scorecard, measure, period, from_band, to_band, kinds, alert_key, payload, run_id, created_at, status, attempts, slack_channel, slack_ts, delivered_at) VALUES ('#d', 'cic', 'A', '2017-04', 'amber', 'red', 'turned_red,band_change', 'k1', '{"decimals": 1, "floor": 11.0, "from_band": "amber", "kinds": ["turned_red", "band_change"], "measure": "A", "period": "2017-04", "polarity": "lower", "previous_period": "2017-03", "previous_value": 10.0, "scorecard": "cic", "scorecard_title": "Children in Care", "section": "Children in Care", "target": 9.0, "title": "A title", "to_band": "red", "unit": "per 10,000", "value": 12.5, "warnings": 0}', 1, '2017-05-02T08:00:00+00:00', 'delivered', 1, 'C001', '1493712000.000100', '2017-05-02T08:00:01+00:00');
