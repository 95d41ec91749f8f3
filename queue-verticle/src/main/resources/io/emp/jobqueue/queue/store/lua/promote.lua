-- Delayed jobs whose backoff is over go back to their original place in their pending set.
-- ARGV: 1 traceparent, 2 batch size
local ids = redis.call('ZRANGEBYSCORE', K.delayed(), '-inf', NOW, 'LIMIT', 0, tonumber(ARGV[2]))
local woken = {}
for _, id in ipairs(ids) do
  local jk = K.job(id)
  local j = redis.call('HMGET', jk, 'status', 'service_required', 'score', 'qmember', 'traceparent')
  redis.call('ZREM', K.delayed(), id)
  if j[1] == 'delayed' then
    redis.call('HSET', jk, 'status', 'pending', 'updated_at', NOW)
    redis.call('ZADD', K.pending(j[2]), j[3], j[4])
    count(j[2], 'delayed', -1)
    emit(id, 'job_requeued', 'pending', {'service', j[2], 'reason', 'due'}, j[5])
    woken[j[2]] = id
  end
end
for svc, id in pairs(woken) do wake(svc, id) end
return #ids
