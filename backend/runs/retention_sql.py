"""The statements of retention (see `backend.runs.retention`): each touches one batch at most.

Candidates are found through the partial indexes of migration m0011 (finished runs still due,
oldest first); rows through the primary keys of `node_runs` and `run_events`.
"""

from __future__ import annotations

FINISHED = "status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')"

CLAIM_TURN_SQL = """
UPDATE reconciler_passes SET last_pass_at = now()
WHERE id = $1 AND last_pass_at <= now() - make_interval(secs => $2)
RETURNING true
"""

# Runs due for deletion are marked like node-data pruning (a retry refuses them from then on).
MARK_RUNS_SQL = f"""
UPDATE runs SET node_data_pruned_at = coalesce(node_data_pruned_at, now())
WHERE id IN (
    SELECT id FROM runs WHERE {FINISHED} AND finished_at < $1 AND lease_owner IS NULL
    ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED
)
RETURNING id
"""  # noqa: S608 - only constant text is interpolated

DELETE_RUNS_SQL = f"DELETE FROM runs WHERE id = ANY($1::uuid[]) AND {FINISHED}"  # noqa: S608

# Events are deleted first and their runs marked after, so a pass that dies half-way leaves its runs
# due; only events up to the seq read here go (a retry made meanwhile appends after it).
DUE_EVENTS_SQL = f"""
SELECT id, last_seq, finished_at FROM runs
WHERE {FINISHED} AND (events_pruned_at IS NULL OR events_pruned_at < finished_at)
    AND finished_at < $1 AND lease_owner IS NULL
ORDER BY finished_at LIMIT $2
"""  # noqa: S608 - only constant text is interpolated

# A run retried since it was read (its finished_at moved) stays due: its later events are not pruned.
MARK_EVENTS_SQL = f"""
UPDATE runs SET events_pruned_at = now(), events_pruned_seq = p.upto
FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS p(id, upto, finished_at)
WHERE runs.id = p.id AND runs.finished_at = p.finished_at AND runs.{FINISHED}
"""  # noqa: S608 - only constant text is interpolated

DELETE_EVENTS_SQL = """
DELETE FROM run_events e USING (
    SELECT x.run_id, x.seq FROM run_events x
    JOIN unnest($1::uuid[], $2::int[]) AS p(id, upto) ON x.run_id = p.id AND x.seq <= p.upto
    LIMIT $3
) d
WHERE e.run_id = d.run_id AND e.seq = d.seq
"""

# Node data is marked first (a retry refuses a marked run), and `node_data_pruning` says the rows are
# still to prune until they are: a pass that dies half-way is finished by the next one.
MARK_NODE_DATA_SQL = f"""
UPDATE runs SET node_data_pruned_at = now(), node_data_pruning = true
WHERE id IN (
    SELECT id FROM runs
    WHERE {FINISHED} AND node_data_pruned_at IS NULL AND finished_at < $1 AND lease_owner IS NULL
    ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED
)
RETURNING id
"""  # noqa: S608 - only constant text is interpolated

UNFINISHED_NODE_DATA_SQL = "SELECT id FROM runs WHERE node_data_pruning LIMIT $1"

NODE_DATA_DONE_SQL = "UPDATE runs SET node_data_pruning = false WHERE id = ANY($1::uuid[])"

PRUNE_NODE_RUNS_SQL = """
UPDATE node_runs n SET input = NULL, output = NULL, pruned_at = now()
FROM (
    SELECT run_id, node_id, iteration FROM node_runs
    WHERE run_id = ANY($1::uuid[]) AND pruned_at IS NULL
    LIMIT $2 FOR UPDATE SKIP LOCKED
) d
WHERE n.run_id = d.run_id AND n.node_id = d.node_id AND n.iteration = d.iteration
"""

PRUNE_NODE_EVENTS_SQL = """
UPDATE run_events e SET data = (e.data - 'input' - 'inputRef' - 'output' - 'outputRef') || '{"pruned": true}'
FROM (
    SELECT run_id, seq FROM run_events
    WHERE run_id = ANY($1::uuid[]) AND type IN ('NODE_STARTED', 'NODE_SUCCEEDED')
        AND NOT coalesce(data ? 'pruned', false)
    LIMIT $2 FOR UPDATE SKIP LOCKED
) d
WHERE e.run_id = d.run_id AND e.seq = d.seq
"""

DELETE_NODE_RUNS_SQL = """
DELETE FROM node_runs n USING (
    SELECT run_id, node_id, iteration FROM node_runs WHERE run_id = ANY($1::uuid[]) LIMIT $2
) d
WHERE n.run_id = d.run_id AND n.node_id = d.node_id AND n.iteration = d.iteration
"""

DELETE_ALL_EVENTS_SQL = """
DELETE FROM run_events e USING (
    SELECT run_id, seq FROM run_events WHERE run_id = ANY($1::uuid[]) LIMIT $2
) d
WHERE e.run_id = d.run_id AND e.seq = d.seq
"""

# What a pass would do, for --dry-run: the same candidates, counted, nothing changed.
COUNT_RUNS_SQL = f"""
SELECT count(*) AS runs,
    coalesce(sum((SELECT count(*) FROM node_runs n WHERE n.run_id = r.id)), 0) AS node_runs,
    coalesce(sum(r.last_seq - r.events_pruned_seq), 0) AS events
FROM runs r WHERE {FINISHED} AND finished_at < $1 AND lease_owner IS NULL
"""  # noqa: S608 - only constant text is interpolated

COUNT_EVENTS_SQL = f"""
SELECT count(*) AS runs, coalesce(sum(last_seq - events_pruned_seq), 0) AS events FROM runs
WHERE {FINISHED} AND (events_pruned_at IS NULL OR events_pruned_at < finished_at)
    AND finished_at < $1 AND finished_at >= $2 AND lease_owner IS NULL
"""  # noqa: S608 - only constant text is interpolated

COUNT_NODE_DATA_SQL = f"""
SELECT count(*) AS runs,
    coalesce(sum((SELECT count(*) FROM node_runs n WHERE n.run_id = r.id AND n.pruned_at IS NULL)), 0)
        AS node_runs
FROM runs r
WHERE {FINISHED} AND node_data_pruned_at IS NULL AND finished_at < $1 AND finished_at >= $2
    AND lease_owner IS NULL
"""  # noqa: S608 - only constant text is interpolated
