-- promote: delayed jobs whose backoff is over go back to their original place in their pending set.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 batch size
-- Returns: how many due jobs were looked at
-- Emits: EV.REQUEUED (reason due, in the job's trace)
--! include: hmget, can, emit, wake
--! uses: K, F, EV, ST, NOWS
local ids = redis.call('ZRANGEBYSCORE', K.delayed(), '-inf', NOWS, 'LIMIT', 0, tonumber(ARGV[2]))
local woken = {}
for _, id in ipairs(ids) do
  local jk = K.job(id)
  local j = hmget(jk, F.STATUS, F.SERVICE, F.SCORE, F.QMEMBER, F.TRACEPARENT, F.SEQ)
  local svc = j[F.SERVICE]
  redis.call('ZREM', K.delayed(), id)
  if j[F.STATUS] == ST.DELAYED and can(ST.DELAYED, ST.PENDING) then
    local seq = tonumber(j[F.SEQ]) + 1
    redis.call('HSET', jk, F.STATUS, ST.PENDING, F.UPDATED_AT, NOWS, F.SEQ, seq)
    redis.call('ZADD', K.pending(svc), j[F.SCORE], j[F.QMEMBER])
    emit(id, seq, EV.REQUEUED, ST.PENDING, {'service', svc, 'reason', 'due'}, j[F.TRACEPARENT])
    woken[svc] = id
  end
end
for svc, id in pairs(woken) do wake(svc, id) end
return #ids
