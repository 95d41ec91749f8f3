-- Delayed jobs whose backoff is over go back to their original place in their pending set.
-- ARGV: 1 traceparent, 2 batch size
local ids = redis.call('ZRANGEBYSCORE', K.delayed(), '-inf', NOWS, 'LIMIT', 0, tonumber(ARGV[2]))
local woken = {}
for _, id in ipairs(ids) do
  local jk = K.job(id)
  local j = redis.call('HMGET', jk, 'status', 'service_required', 'score', 'qmember', 'traceparent', 'seq')
  redis.call('ZREM', K.delayed(), id)
  if j[1] == 'delayed' and can('delayed', 'pending') then
    local seq = tonumber(j[6]) + 1
    redis.call('HSET', jk, 'status', 'pending', 'updated_at', NOWS, 'seq', seq)
    redis.call('ZADD', K.pending(j[2]), j[3], j[4])
    emit(id, seq, 'job_requeued', 'pending', {'service', j[2], 'reason', 'due'}, j[5])
    woken[j[2]] = id
  end
end
for svc, id in pairs(woken) do wake(svc, id) end
return #ids
