-- complete: the worker that holds a job reports its result; the job is final.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token, 4 result JSON
-- Returns: {'OK', completed_at} or {'LOST', status} (the token no longer owns the job)
-- Emits: EV.COMPLETED (the result inline up to C.event_result_max bytes)
--! include: owned, emit, finalize
--! uses: K, F, EV, ST, C, NOWS
local id, token, result = ARGV[2], ARGV[3], ARGV[4]
local jk = K.job(id)
local j, status = owned(jk, token, F.SERVICE, F.WORKER, F.ATTEMPT, F.CREATED_AT, F.STARTED_AT, F.ASSIGNED_AT,
  F.SEQ, F.CUSTOMER, F.BAGGAGE)
if not j then return {'LOST', status} end
local svc = j[F.SERVICE]
local started = j[F.STARTED_AT] or j[F.ASSIGNED_AT]
local seq = tonumber(j[F.SEQ]) + 1
redis.call('HSET', jk, F.STATUS, ST.COMPLETED, F.COMPLETED_AT, NOWS, F.UPDATED_AT, NOWS, F.PROGRESS, 100,
  F.RESULT, result, F.STARTED_AT, started, F.SEQ, seq)
redis.call('ZREM', K.active(), id)
local inline = result
if #result > C.event_result_max then inline = false end
emit(id, seq, EV.COMPLETED, ST.COMPLETED, {'service', svc, 'worker_id', j[F.WORKER], 'attempt', j[F.ATTEMPT],
  'created_at', j[F.CREATED_AT], 'started_at', started, 'result', inline, 'customer_id', j[F.CUSTOMER] or false,
  'baggage', j[F.BAGGAGE] or false})
finalize(id, svc, ST.COMPLETED)
return {'OK', NOWS}
