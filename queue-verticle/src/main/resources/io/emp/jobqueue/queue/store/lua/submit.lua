-- ARGV: 1 traceparent, 2 job id, 3 id chosen by the client ('1'/'0'), 4 idempotency key, 5 service,
--       6 effective priority, 7 workflow datetime ('' = now), 8 max pending per service (0 = unbounded),
--       9 workflow id ('' = none), 10.. field/value pairs
local id, idem, svc = ARGV[2], ARGV[4], ARGV[5]
local jk = K.job(id)

local function existing(eid)
  local h = redis.call('HMGET', K.job(eid), 'status', 'score', 'qmember', 'service_required')
  if not h[1] then return nil end
  local pos = -1
  if h[1] == 'pending' then pos = redis.call('ZRANK', K.pending(h[4]), h[3]) or -1 end
  return {'EXISTS', eid, h[1], h[2], pos}
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

redis.call('HSET', jk, 'status', 'pending', 'attempt', 0, 'created_at', NOWS, 'updated_at', NOWS,
  'score', score, 'qmember', member, 'seq', 1, unpack(ARGV, 10))
redis.call('ZADD', pk, score, member)
if idem ~= '' then redis.call('SET', K.idem(idem), id, 'PX', C.idempotency_ttl_ms) end
local customer = false
for i = 10, #ARGV - 1, 2 do
  if ARGV[i] == 'customer_id' then customer = ARGV[i + 1] end
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
emit(id, 1, 'job_submitted', 'pending', {'service', svc, 'priority', ARGV[6]})
wake(svc, id)
return {'OK', id, 'pending', score, pos, 1, NOWS, prev}
