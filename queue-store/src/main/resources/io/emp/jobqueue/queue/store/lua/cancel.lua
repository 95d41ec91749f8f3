-- cancel: a client cancels a job. A waiting job (pending or delayed) is cancelled at once; an active
-- one is flagged, and its worker stops it (fail.lua with kind cancelled, or the reaper).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 reason
-- Returns: {'CANCELLED'}, {'REQUESTED', the worker id that holds the job}, {'NOTFOUND'} or {'FINAL', status}
-- Emits: EV.CANCELLED (waiting job), EV.CANCEL_REQUESTED (active job)
--! include: hmget, can, emit, finalize
--! uses: K, F, EV, ST, NOWS, TP
local id, reason = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = hmget(jk, F.STATUS, F.SERVICE, F.QMEMBER, F.CREATED_AT, F.SEQ, F.CUSTOMER, F.BAGGAGE, F.TRACEPARENT,
  F.WORKER)
local st, svc = j[F.STATUS], j[F.SERVICE]
if not st then return {'NOTFOUND'} end
local seq = tonumber(j[F.SEQ]) + 1
if (st == ST.PENDING or st == ST.DELAYED) and can(st, ST.CANCELLED) then
  if st == ST.PENDING then
    redis.call('ZREM', K.pending(svc), j[F.QMEMBER])
  else
    redis.call('ZREM', K.delayed(), id)
  end
  redis.call('HSET', jk, F.STATUS, ST.CANCELLED, F.CANCELLED_AT, NOWS, F.UPDATED_AT, NOWS, F.MESSAGE, reason,
    F.SEQ, seq)
  -- the event belongs to the job's trace (its broadcast and the sampling decision go there)
  emit(id, seq, EV.CANCELLED, ST.CANCELLED, {'service', svc, 'reason', reason, 'created_at', j[F.CREATED_AT],
    'customer_id', j[F.CUSTOMER] or false, 'baggage', j[F.BAGGAGE] or false}, j[F.TRACEPARENT] or TP)
  finalize(id, svc, ST.CANCELLED)
  return {'CANCELLED'}
end
if can(st, ST.COMPLETED) then
  redis.call('HSET', jk, F.CANCEL_REQUESTED, '1', F.UPDATED_AT, NOWS, F.SEQ, seq)
  emit(id, seq, EV.CANCEL_REQUESTED, st, {'service', svc, 'reason', reason}, j[F.TRACEPARENT] or TP)
  -- the worker that holds the job: the caller signals it at once (the flag is the durable fallback)
  return {'REQUESTED', j[F.WORKER] or ''}
end
return {'FINAL', st}
