-- Hands an active job back to the head of its place in the queue without counting a failure
-- (a draining worker). ARGV: 1 traceparent, 2 job id, 3 token
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token)
if not h then return {'LOST', status} end
local j = redis.call('HMGET', jk, 'service_required', 'score', 'qmember', 'worker_id')
redis.call('HINCRBY', jk, 'attempt', -1)
redis.call('HSET', jk, 'status', 'pending', 'updated_at', NOW)
redis.call('ZREM', K.active(), id)
redis.call('ZADD', K.pending(j[1]), j[2], j[3])
count(j[1], 'active', -1)
emit(id, 'job_requeued', 'pending', {'service', j[1], 'reason', 'released', 'worker_id', j[4]})
wake(j[1], id)
return {'OK'}
