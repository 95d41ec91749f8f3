-- ARGV: 1 traceparent, 2 job id, 3 token, 4 lease ms (0 = leave the lease), 5 progress 0-100 ('' = unchanged),
--       6 message
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token, 'worker_id', 'service_required', 'progress', 'seq')
if not h then return {'LOST', status} end
local seq = tonumber(h[7]) + 1
local progress = h[6]
if ARGV[5] ~= '' then progress = ARGV[5] end
redis.call('HSET', jk, 'updated_at', NOWS, 'message', ARGV[6], 'seq', seq, 'progress', progress or '0')
if h[2] == 'assigned' then
  redis.call('HSET', jk, 'status', 'in_progress', 'started_at', NOWS)
end
local lease = tonumber(ARGV[4])
if lease > 0 then
  redis.call('HSET', jk, 'lease_until', NOW + lease)
  redis.call('ZADD', K.active(), NOW + lease, id)
end
emit(id, seq, 'update_job_progress', 'in_progress', {'service', h[5], 'worker_id', h[4], 'progress', progress,
  'message', ARGV[6]})
return {'OK', h[3] or '0'}
