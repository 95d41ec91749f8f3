-- fail: the worker that holds a job reports a failure (or that it stopped the job on a cancel
-- request); endAttempt applies the one retry policy.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token, 4 kind (retryable|permanent|cancelled), 5 error JSON,
--       6 jitter draw in [0,1)
-- Returns: {'CANCELLED'}, {'RETRY', due_at}, {'DEAD'} or {'LOST', status}
-- Emits: EV.CANCELLED, EV.REQUEUED or EV.FAILED (endAttempt)
--! include: owned, endAttempt
--! uses: K
local id, token = ARGV[2], ARGV[3]
local h, status = owned(K.job(id), token)
if not h then return {'LOST', status} end
return endAttempt(id, ARGV[4], ARGV[5], tonumber(ARGV[6]))
