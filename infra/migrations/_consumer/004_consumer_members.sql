-- The live replicas of each consumer, with leases: each replica renews its row every second and
-- reads the partitions its place among the live members gives it (see
-- services/runtime/membership.py). A replica that dies stops renewing; once its lease runs out
-- the others take its partitions from the positions stored with the effects.
CREATE TABLE IF NOT EXISTS {schema}.consumer_members (
    consumer     text        NOT NULL,
    member       text        NOT NULL,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz NOT NULL,
    partitions   text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (consumer, member)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.consumer_members TO {role};
