-- Citizen receptions are streams of intake's log (stream_type 'reception'). A directive's view
-- counts the held receptions that name it: this index finds them without reading the log.
CREATE INDEX IF NOT EXISTS events_reception_directive
    ON {schema}.events ((payload->>'directive_id'))
    WHERE event_type = 'reception.scheduled';
-- …and the receptions of a region and district by scheduled day (GET /v1/receptions).
CREATE INDEX IF NOT EXISTS events_reception_day
    ON {schema}.events ((payload->>'region'), (payload->>'scheduled_on'))
    WHERE event_type = 'reception.scheduled';
