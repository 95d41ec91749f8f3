-- submit: a new job joins its service's queue at its priority band, unless its idempotency key or its
-- client-chosen id names a job that exists (that job is answered), or the queue is full.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 id chosen by the client ('1'/'0'), 4 idempotency key, 5 service,
--       6 effective priority, 7 workflow datetime ('' = now), 8 max pending per service (0 = unbounded),
--       9 workflow id ('' = none), 10.. field/value pairs (Job.F names)
-- Returns: {'OK', id, status, score, queue position, seq, created_at, the workflow's earlier steps
--          (flat job id -> submit traceparent)}, {'EXISTS', id, status, score, queue position or -1}
--          or {'FULL', max pending}
-- Emits: EV.SUBMITTED
--! include: hmget, num, indexCreated, emit, wake
--! uses: K, F, EV, ST, C, NOW, NOWS, TP
local id, idem, svc = ARGV[2], ARGV[4], ARGV[5]
local jk = K.job(id)

local function existing(eid)
  local h = hmget(K.job(eid), F.STATUS, F.SCORE, F.QMEMBER, F.SERVICE)
  local st = h[F.STATUS]
  if not st then return nil end
  local pos = -1
  if st == ST.PENDING then pos = redis.call('ZRANK', K.pending(h[F.SERVICE]), h[F.QMEMBER]) or -1 end
  return {'EXISTS', eid, st, h[F.SCORE], pos}
end

if idem ~= '' then
  local eid = redis.call('GET', K.idem(idem))
  if eid then
    local r = existing(eid)
    if r then return r end
  end
end
-- An id the store generated is a fresh UUID: only a client-chosen id can already exist.
if ARGV[3] == '1' then
  local r = existing(id)
  if r then return r end
end

local pk = K.pending(svc)
local depth = redis.call('ZCARD', pk)
local maxPending = tonumber(ARGV[8])
if maxPending > 0 and depth >= maxPending then
  return {'FULL', maxPending}
end
if depth == 0 then redis.call('SADD', K.services(), svc) end

local t = NOW
if ARGV[7] ~= '' then t = tonumber(ARGV[7]) end
local score = num((C.max_priority - tonumber(ARGV[6])) * C.band + t)
local member = string.format('%012d:', redis.call('INCR', K.seq())) .. id

redis.call('HSET', jk, F.STATUS, ST.PENDING, F.ATTEMPT, 0, F.CREATED_AT, NOWS, F.UPDATED_AT, NOWS,
  F.SCORE, score, F.QMEMBER, member, F.SEQ, 1, unpack(ARGV, 10))
redis.call('ZADD', pk, score, member)
if idem ~= '' then redis.call('SET', K.idem(idem), id, 'PX', C.idempotency_ttl_ms) end
local customer = false
for i = 10, #ARGV - 1, 2 do
  if ARGV[i] == F.CUSTOMER then customer = ARGV[i + 1] end
end
indexCreated(id, customer, svc, NOWS)
local pos = redis.call('ZRANK', pk, member)
-- A workflow remembers each step's submit context: the new step links to the earlier ones, and the
-- workflow's traces can be listed from any node.
local prev = {}
if ARGV[9] ~= '' then
  local wk = K.workflow(ARGV[9])
  prev = redis.call('HGETALL', wk)
  redis.call('HSET', wk, id, TP)
  redis.call('PEXPIRE', wk, C.retention_failed)
end
emit(id, 1, EV.SUBMITTED, ST.PENDING, {'service', svc, 'priority', ARGV[6]})
wake(svc, id)
return {'OK', id, ST.PENDING, score, pos, 1, NOWS, prev}
