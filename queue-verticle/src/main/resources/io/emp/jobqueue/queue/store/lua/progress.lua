-- ARGV: 1 traceparent, 2 job id, 3 token, 4 lease ms (0 = leave the lease), 5 progress 0-100 ('' = unchanged),
--       6 message
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token)
if not h then return {'LOST', status} end
if h[2] == 'assigned' then
  redis.call('HSET', jk, 'status', 'in_progress', 'started_at', NOW)
end
local lease = tonumber(ARGV[4])
if lease > 0 then
  redis.call('HSET', jk, 'lease_until', NOW + lease)
  redis.call('ZADD', K.active(), NOW + lease, id)
end
redis.call('HSET', jk, 'updated_at', NOW)
if ARGV[5] ~= '' then redis.call('HSET', jk, 'progress', ARGV[5]) end
redis.call('HSET', jk, 'message', ARGV[6])
local w = redis.call('HMGET', jk, 'worker_id', 'service_required', 'progress')
emit(id, 'update_job_progress', 'in_progress', {'service', w[2], 'worker_id', w[1], 'progress', w[3],
  'message', ARGV[6]})
return {'OK', h[3] or '0'}
