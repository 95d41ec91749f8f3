-- complete: the worker that holds a job reports its result; the job is final (completeJob).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token, 4 result JSON
-- Returns: {'OK', completed_at} or {'LOST', status} (the token no longer owns the job)
-- Emits: EV.COMPLETED (the result inline up to C.event_result_max bytes)
--! include: completeJob
return completeJob(ARGV[2], ARGV[3], ARGV[4])
