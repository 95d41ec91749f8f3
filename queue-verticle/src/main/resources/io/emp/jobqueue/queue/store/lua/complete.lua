-- ARGV: 1 traceparent, 2 job id, 3 token, 4 result JSON
local id, token, result = ARGV[2], ARGV[3], ARGV[4]
local jk = K.job(id)
local j, status = owned(jk, token, 'service_required', 'worker_id', 'attempt', 'created_at', 'started_at',
  'assigned_at', 'seq', 'customer_id', 'baggage')
if not j then return {'LOST', status} end
local svc = j[4]
local started = j[8] or j[9]
local seq = tonumber(j[10]) + 1
redis.call('HSET', jk, 'status', 'completed', 'completed_at', NOWS, 'updated_at', NOWS, 'progress', 100,
  'result', result, 'started_at', started, 'seq', seq)
redis.call('ZREM', K.active(), id)
local inline = result
if #result > C.event_result_max then inline = false end
emit(id, seq, 'complete_job', 'completed', {'service', svc, 'worker_id', j[5], 'attempt', j[6],
  'created_at', j[7], 'started_at', started, 'result', inline, 'customer_id', j[11] or false,
  'baggage', j[12] or false})
finalize(id, svc, 'completed')
return {'OK', NOWS}
