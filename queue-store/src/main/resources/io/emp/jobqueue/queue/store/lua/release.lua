-- release: hands an active job back to its place in the queue without counting a failure (a draining
-- worker).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token
-- Returns: {'OK'} or {'LOST', status}
-- Emits: EV.REQUEUED (reason released)
--! include: owned, emit, wake
--! uses: K, F, EV, ST, NOWS
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local j, status = owned(jk, token, F.SERVICE, F.SCORE, F.QMEMBER, F.WORKER, F.ATTEMPT, F.SEQ)
if not j then return {'LOST', status} end
local svc = j[F.SERVICE]
local seq = tonumber(j[F.SEQ]) + 1
redis.call('HSET', jk, F.STATUS, ST.PENDING, F.UPDATED_AT, NOWS, F.ATTEMPT, tonumber(j[F.ATTEMPT]) - 1,
  F.SEQ, seq)
redis.call('ZREM', K.active(), id)
redis.call('ZADD', K.pending(svc), j[F.SCORE], j[F.QMEMBER])
emit(id, seq, EV.REQUEUED, ST.PENDING, {'service', svc, 'reason', 'released', 'worker_id', j[F.WORKER]})
wake(svc, id)
return {'OK'}
