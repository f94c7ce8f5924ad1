-- Citizen receptions are streams of intake's log (stream_type 'reception'). A directive's view
-- counts the held receptions that name it: this index finds them without reading the log.
CREATE INDEX IF NOT EXISTS events_reception_directive
    ON {schema}.events ((payload->>'directive_id'))
    WHERE event_type = 'reception.scheduled';
