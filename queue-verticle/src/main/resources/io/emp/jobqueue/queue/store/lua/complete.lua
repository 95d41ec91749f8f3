-- ARGV: 1 traceparent, 2 job id, 3 token, 4 result JSON
local id, token, result = ARGV[2], ARGV[3], ARGV[4]
local jk = K.job(id)
local h, status = owned(jk, token)
if not h then return {'LOST', status} end
local j = redis.call('HMGET', jk, 'service_required', 'worker_id', 'attempt', 'created_at', 'started_at',
  'assigned_at')
local started = j[5] or j[6]
redis.call('HSET', jk, 'status', 'completed', 'completed_at', NOW, 'updated_at', NOW, 'progress', 100,
  'result', result, 'started_at', started)
redis.call('ZREM', K.active(), id)
count(j[1], 'active', -1)
count(j[1], 'completed', 1)
local inline = result
if #result > C.event_result_max then inline = false end
emit(id, 'complete_job', 'completed', {'service', j[1], 'worker_id', j[2], 'attempt', j[3],
  'created_at', j[4], 'started_at', started, 'result', inline})
finalize(id, j[1], 'completed')
return {'OK', NOW}
