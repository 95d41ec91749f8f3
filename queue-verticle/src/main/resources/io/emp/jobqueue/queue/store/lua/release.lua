-- Hands an active job back to its place in the queue without counting a failure
-- (a draining worker). ARGV: 1 traceparent, 2 job id, 3 token
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local j, status = owned(jk, token, 'service_required', 'score', 'qmember', 'worker_id', 'attempt', 'seq')
if not j then return {'LOST', status} end
local seq = tonumber(j[9]) + 1
redis.call('HSET', jk, 'status', 'pending', 'updated_at', NOWS, 'attempt', tonumber(j[8]) - 1, 'seq', seq)
redis.call('ZREM', K.active(), id)
redis.call('ZADD', K.pending(j[4]), j[5], j[6])
emit(id, seq, 'job_requeued', 'pending', {'service', j[4], 'reason', 'released', 'worker_id', j[7]})
wake(j[4], id)
return {'OK'}
