-- promote_now: an operator queues a delayed job (waiting out its retry backoff) now, at its original
-- queue place.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 who asked (audit)
-- Returns: {'OK'}, {'NOTFOUND'} or {'CONFLICT', status}
-- Emits: EV.PROMOTED (in the job's trace)
--! include: hmget, canOperator, emit, wake
--! uses: K, F, EV, ST, NOWS, TP
local id, by = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = hmget(jk, F.STATUS, F.SERVICE, F.SCORE, F.QMEMBER, F.SEQ, F.TRACEPARENT)
local st, svc = j[F.STATUS], j[F.SERVICE]
if not st then return {'NOTFOUND'} end
if st ~= ST.DELAYED or not canOperator(st, ST.PENDING) then return {'CONFLICT', st} end
local seq = tonumber(j[F.SEQ]) + 1
redis.call('ZREM', K.delayed(), id)
redis.call('HDEL', jk, F.DUE_AT)
redis.call('HSET', jk, F.STATUS, ST.PENDING, F.UPDATED_AT, NOWS, F.SEQ, seq)
redis.call('ZADD', K.pending(svc), j[F.SCORE], j[F.QMEMBER])
-- the event belongs to the job's trace, like the promotion after a backoff
emit(id, seq, EV.PROMOTED, ST.PENDING, {'service', svc, 'by', by}, j[F.TRACEPARENT] or TP)
wake(svc, id)
return {'OK'}
