-- ARGV: 1 traceparent, 2 job id, 3 reason
-- Returns CANCELLED, REQUESTED + the worker id that holds the job, NOTFOUND or FINAL + status.
local id, reason = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = redis.call('HMGET', jk, 'status', 'service_required', 'qmember', 'created_at', 'seq', 'customer_id',
  'baggage', 'traceparent', 'worker_id')
local st, svc = j[1], j[2]
if not st then return {'NOTFOUND'} end
local seq = tonumber(j[5]) + 1
if (st == 'pending' or st == 'delayed') and can(st, 'cancelled') then
  if st == 'pending' then
    redis.call('ZREM', K.pending(svc), j[3])
  else
    redis.call('ZREM', K.delayed(), id)
  end
  redis.call('HSET', jk, 'status', 'cancelled', 'cancelled_at', NOWS, 'updated_at', NOWS, 'message', reason,
    'seq', seq)
  -- the event belongs to the job's trace (its broadcast and the sampling decision go there)
  emit(id, seq, 'job_cancelled', 'cancelled', {'service', svc, 'reason', reason, 'created_at', j[4],
    'customer_id', j[6] or false, 'baggage', j[7] or false}, j[8] or TP)
  finalize(id, svc, 'cancelled')
  return {'CANCELLED'}
end
if can(st, 'completed') then
  redis.call('HSET', jk, 'cancel_requested', '1', 'updated_at', NOWS, 'seq', seq)
  emit(id, seq, 'job_cancel_requested', st, {'service', svc, 'reason', reason}, j[8] or TP)
  -- the worker that holds the job: the caller signals it at once (the flag is the durable fallback)
  return {'REQUESTED', j[9] or ''}
end
return {'FINAL', st}
