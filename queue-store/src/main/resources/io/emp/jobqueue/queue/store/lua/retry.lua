-- retry: an operator's retry of failed or cancelled jobs: each job's same id goes back to its queue
-- place as a new run. Its attempts start again (max_retries applies afresh), the error chain is kept,
-- the retention clock stops, and the job's trace context becomes its retry span's (a new trace that
-- links to the previous one, whose id is kept in previous_trace_ids); its baggage (customer tier,
-- workflow) stays with the job. One job (a single retry) or a batch of a bulk retry per call.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 who asked (audit), then per job: job id, its new trace fields (JSON object:
--       traceparent, tracestate)
-- Returns: per job, in order: {'OK', previous traceparent, attempts of earlier runs}, {'NOTFOUND'} or
--          {'CONFLICT', status}
-- Emits: EV.RETRIED per retried job (in its new trace)
--! include: hmget, canOperator, isFinal, expiringMember, emit, wake
--! uses: K, F, EV, ST, NOWS, TP
local by = ARGV[2]

local function retryOne(id, fieldsJson)
  local jk = K.job(id)
  local j = hmget(jk, F.STATUS, F.SERVICE, F.SCORE, F.QMEMBER, F.SEQ, F.TRACEPARENT, F.PREVIOUS_TRACE_IDS,
    F.ATTEMPT, F.PREVIOUS_ATTEMPTS, F.CUSTOMER)
  local st, svc = j[F.STATUS], j[F.SERVICE]
  if not st then return {'NOTFOUND'} end
  if not canOperator(st, ST.PENDING) or not isFinal(st) then return {'CONFLICT', st} end
  local seq = tonumber(j[F.SEQ]) + 1
  -- out of the final indexes, and no longer expiring
  redis.call('ZREM', K.idx(st), id)
  redis.call('ZREM', K.idxService(st, svc), id)
  redis.call('ZREM', K.expiring(), expiringMember(id, j[F.CUSTOMER], svc))
  redis.call('PERSIST', jk)
  redis.call('PERSIST', K.jobEvents(id))
  local prevTp = j[F.TRACEPARENT] or ''
  local prev = {}
  if j[F.PREVIOUS_TRACE_IDS] then prev = cjson.decode(j[F.PREVIOUS_TRACE_IDS]) end
  if prevTp ~= '' then prev[#prev + 1] = string.sub(prevTp, 4, 35) end
  local earlier = (tonumber(j[F.PREVIOUS_ATTEMPTS] or '0') or 0) + (tonumber(j[F.ATTEMPT] or '0') or 0)
  -- the previous run's worker, lease, progress and outcome are not this run's
  redis.call('HDEL', jk, F.WORKER, F.TOKEN, F.LEASE_UNTIL, F.ASSIGNED_AT, F.STARTED_AT, F.COMPLETED_AT,
    F.FAILED_AT, F.CANCELLED_AT, F.DUE_AT, F.PROGRESS, F.MESSAGE, F.RESULT, F.LAST_ERROR, F.CANCEL_REQUESTED,
    F.LAST_FAILED_WORKER, F.LOST_ATTEMPTS, F.TRACESTATE)
  local flat = {F.STATUS, ST.PENDING, F.ATTEMPT, 0, F.PREVIOUS_ATTEMPTS, earlier, F.RETRIED_AT, NOWS,
    F.UPDATED_AT, NOWS, F.SEQ, seq, F.PREVIOUS_TRACE_IDS, cjson.encode(prev)}
  local fields = cjson.decode(fieldsJson)
  for k, v in pairs(fields) do
    flat[#flat + 1] = k
    flat[#flat + 1] = v
  end
  redis.call('HSET', jk, unpack(flat))
  -- a retried job keeps its original queue place, like a retry after backoff
  redis.call('ZADD', K.pending(svc), j[F.SCORE], j[F.QMEMBER])
  redis.call('SADD', K.services(), svc)
  emit(id, seq, EV.RETRIED, ST.PENDING, {'service', svc, 'by', by, 'previous_trace_id', prev[#prev] or false,
    'customer_id', j[F.CUSTOMER] or false}, fields.traceparent or TP)
  wake(svc, id)
  return {'OK', prevTp, earlier}
end

local out = {}
for i = 3, #ARGV - 1, 2 do
  out[#out + 1] = retryOne(ARGV[i], ARGV[i + 1])
end
return out
