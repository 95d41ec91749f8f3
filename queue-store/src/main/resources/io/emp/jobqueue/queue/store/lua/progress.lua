-- progress: the worker that holds a job reports progress (and renews its lease); the first report
-- moves an assigned job to in_progress.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token, 4 lease ms (0 = leave the lease), 5 progress 0-100
--       ('' = unchanged), 6 message
-- Returns: {'OK', cancel_requested ('1' when a cancel was asked for)} or {'LOST', status}
-- Emits: EV.PROGRESS
--! include: owned, emit
--! uses: K, F, EV, ST, NOW, NOWS
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token, F.WORKER, F.SERVICE, F.PROGRESS, F.SEQ)
if not h then return {'LOST', status} end
local seq = tonumber(h[F.SEQ]) + 1
local progress = h[F.PROGRESS]
if ARGV[5] ~= '' then progress = ARGV[5] end
redis.call('HSET', jk, F.UPDATED_AT, NOWS, F.MESSAGE, ARGV[6], F.SEQ, seq, F.PROGRESS, progress or '0')
if h[F.STATUS] == ST.ASSIGNED then
  redis.call('HSET', jk, F.STATUS, ST.IN_PROGRESS, F.STARTED_AT, NOWS)
end
local lease = tonumber(ARGV[4])
if lease > 0 then
  redis.call('HSET', jk, F.LEASE_UNTIL, NOW + lease)
  redis.call('ZADD', K.active(), NOW + lease, id)
end
emit(id, seq, EV.PROGRESS, ST.IN_PROGRESS, {'service', h[F.SERVICE], 'worker_id', h[F.WORKER],
  'progress', progress, 'message', ARGV[6]})
return {'OK', h[F.CANCEL_REQUESTED] or '0'}
