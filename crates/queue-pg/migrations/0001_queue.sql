-- autodev queue schema, version 1. Applied once, in one transaction, by `autodev init --queue postgres://…`.

-- The one row of shared settings, and the pause flag the claim checks.
CREATE TABLE autodev_queue (
    one           boolean PRIMARY KEY DEFAULT true CHECK (one),
    lease_secs    integer NOT NULL CHECK (lease_secs > 0),
    max_attempts  integer NOT NULL CHECK (max_attempts > 0),
    paused_by     text,
    paused_at     timestamptz,
    paused_reason text
);

-- The last sequence number handed out per day: ids are T<YYYYMMDD>-<NNNN>, dense, never reused.
CREATE TABLE autodev_ids (
    day      text PRIMARY KEY,
    last_seq integer NOT NULL
);

CREATE TABLE autodev_tasks (
    id               text PRIMARY KEY,
    -- Submission order: claims take the oldest first.
    seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    state            text NOT NULL CHECK (state IN ('pending', 'claimed', 'done', 'failed', 'approved', 'rejected', 'applied')),
    -- The task as submitted (queue_core::Task); `attempt` below is its try number.
    task             jsonb NOT NULL,
    attempt          integer NOT NULL,
    -- The holder, its token (the fence every later call is checked against) and the lease, from the
    -- database's clock so that workers' clocks do not matter.
    owner            text,
    token            text,
    lease_expires_at timestamptz,
    failure_reason   text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'claimed') = (token IS NOT NULL))
);
CREATE INDEX autodev_tasks_pending ON autodev_tasks (seq) WHERE state = 'pending';
CREATE INDEX autodev_tasks_leases ON autodev_tasks (lease_expires_at) WHERE state = 'claimed';

-- What workers store per task: the patch, the worker's report, the gate's report.
CREATE TABLE autodev_results (
    task_id    text NOT NULL REFERENCES autodev_tasks (id),
    kind       text NOT NULL CHECK (kind IN ('patch', 'report.json', 'gate.json')),
    body       bytea NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, kind)
);

-- A person's decision on a task's gated patch: at most one per task, so an approval and a rejection exclude each
-- other by the primary key alone. The record is the JSON the filesystem queue keeps in approved/ or rejected/.
CREATE TABLE autodev_decisions (
    task_id    text PRIMARY KEY REFERENCES autodev_tasks (id),
    kind       text NOT NULL CHECK (kind IN ('approval', 'rejection')),
    record     bytea NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now()
);

-- The audit log: one row per event, the same JSON as a line of events.ndjson. Rows are appended in commit
-- order (writers hold an advisory lock from the insert to their commit), so a follower reading `seq > cursor`
-- never skips a row that commits later with a smaller seq.
CREATE TABLE autodev_events (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id text,
    event   jsonb NOT NULL
);
CREATE INDEX autodev_events_task ON autodev_events (task_id);

-- Idle workers and `events --follow` LISTEN on this channel instead of polling.
CREATE FUNCTION autodev_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('autodev_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER autodev_events_notify AFTER INSERT ON autodev_events
    FOR EACH STATEMENT EXECUTE FUNCTION autodev_events_notify();
