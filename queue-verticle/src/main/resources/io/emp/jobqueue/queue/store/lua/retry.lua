-- An operator's retry of failed or cancelled jobs: each job's same id goes back to its queue place as
-- a new run. Its attempts start again (max_retries applies afresh), the error chain is kept, the
-- retention clock stops, and the job's trace context becomes its retry span's (a new trace that links
-- to the previous one, whose id is kept in previous_trace_ids); its baggage (customer tier, workflow)
-- stays with the job. One job (a single retry) or a batch of a bulk retry per call.
-- ARGV: 1 traceparent, 2 who asked (audit), then per job: job id, its new trace fields (JSON object:
--       traceparent, tracestate)
-- Returns per job, in order: {'OK', previous traceparent, attempts of earlier runs}, {'NOTFOUND'} or
-- {'CONFLICT', status}.
local by = ARGV[2]

local function retryOne(id, fieldsJson)
  local jk = K.job(id)
  local j = redis.call('HMGET', jk, 'status', 'service_required', 'score', 'qmember', 'seq', 'traceparent',
    'previous_trace_ids', 'attempt', 'previous_attempts', 'customer_id')
  local st, svc = j[1], j[2]
  if not st then return {'NOTFOUND'} end
  if not canOperator(st, 'pending') or not isFinal(st) then return {'CONFLICT', st} end
  local seq = tonumber(j[5]) + 1
  -- out of the final indexes, and no longer expiring
  redis.call('ZREM', K.idx(st), id)
  redis.call('ZREM', K.idxService(st, svc), id)
  redis.call('ZREM', K.expiring(), expiringMember(id, j[10], svc))
  redis.call('PERSIST', jk)
  redis.call('PERSIST', K.jobEvents(id))
  local prevTp = j[6] or ''
  local prev = {}
  if j[7] then prev = cjson.decode(j[7]) end
  if prevTp ~= '' then prev[#prev + 1] = string.sub(prevTp, 4, 35) end
  local earlier = (tonumber(j[9] or '0') or 0) + (tonumber(j[8] or '0') or 0)
  -- the previous run's worker, lease, progress and outcome are not this run's
  redis.call('HDEL', jk, 'worker_id', 'token', 'lease_until', 'assigned_at', 'started_at', 'completed_at',
    'failed_at', 'cancelled_at', 'due_at', 'progress', 'message', 'result', 'error', 'cancel_requested',
    'last_failed_worker', 'lost_attempts', 'tracestate')
  local flat = {'status', 'pending', 'attempt', 0, 'previous_attempts', earlier, 'retried_at', NOWS,
    'updated_at', NOWS, 'seq', seq, 'previous_trace_ids', cjson.encode(prev)}
  local fields = cjson.decode(fieldsJson)
  for k, v in pairs(fields) do
    flat[#flat + 1] = k
    flat[#flat + 1] = v
  end
  redis.call('HSET', jk, unpack(flat))
  -- a retried job keeps its original queue place, like a retry after backoff
  redis.call('ZADD', K.pending(svc), j[3], j[4])
  redis.call('SADD', K.services(), svc)
  emit(id, seq, 'job_retried', 'pending', {'service', svc, 'by', by, 'previous_trace_id', prev[#prev] or false,
    'customer_id', j[10] or false}, fields.traceparent or TP)
  wake(svc, id)
  return {'OK', prevTp, earlier}
end

local out = {}
for i = 3, #ARGV - 1, 2 do
  out[#out + 1] = retryOne(ARGV[i], ARGV[i + 1])
end
return out
