-- An operator queues a delayed job (waiting out its retry backoff) now, at its original queue place.
-- ARGV: 1 traceparent, 2 job id, 3 who asked (audit)
-- Returns {'OK'}, {'NOTFOUND'} or {'CONFLICT', status}.
local id, by = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = redis.call('HMGET', jk, 'status', 'service_required', 'score', 'qmember', 'seq', 'traceparent')
if not j[1] then return {'NOTFOUND'} end
if j[1] ~= 'delayed' or not canOperator(j[1], 'pending') then return {'CONFLICT', j[1]} end
local seq = tonumber(j[5]) + 1
redis.call('ZREM', K.delayed(), id)
redis.call('HDEL', jk, 'due_at')
redis.call('HSET', jk, 'status', 'pending', 'updated_at', NOWS, 'seq', seq)
redis.call('ZADD', K.pending(j[2]), j[3], j[4])
-- the event belongs to the job's trace, like the promotion after a backoff
emit(id, seq, 'job_promoted', 'pending', {'service', j[2], 'by', by}, j[6] or TP)
wake(j[2], id)
return {'OK'}
