-- ARGV: 1 traceparent, 2 job id, 3 reason
local id, reason = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = redis.call('HMGET', jk, 'status', 'service_required', 'qmember', 'created_at')
local st, svc = j[1], j[2]
if not st then return {'NOTFOUND'} end
if st == 'pending' or st == 'delayed' then
  if st == 'pending' then
    redis.call('ZREM', K.pending(svc), j[3])
  else
    redis.call('ZREM', K.delayed(), id)
    count(svc, 'delayed', -1)
  end
  redis.call('HSET', jk, 'status', 'cancelled', 'cancelled_at', NOW, 'updated_at', NOW, 'message', reason)
  count(svc, 'cancelled', 1)
  emit(id, 'job_cancelled', 'cancelled', {'service', svc, 'reason', reason, 'created_at', j[4]})
  finalize(id, svc, 'cancelled')
  return {'CANCELLED'}
end
if st == 'assigned' or st == 'in_progress' then
  redis.call('HSET', jk, 'cancel_requested', '1', 'updated_at', NOW)
  emit(id, 'job_cancel_requested', st, {'service', svc, 'reason', reason})
  return {'REQUESTED'}
end
return {'FINAL', st}
