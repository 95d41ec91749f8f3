-- ARGV: 1 traceparent, 2 job id, 3 idempotency key, 4 service, 5 effective priority,
--       6 workflow datetime ('' = now), 7 max pending per service (0 = unbounded), 8.. field/value pairs
local id, idem, svc = ARGV[2], ARGV[3], ARGV[4]
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
local r = existing(id)
if r then return r end

local pk = K.pending(svc)
local maxPending = tonumber(ARGV[7])
if maxPending > 0 and redis.call('ZCARD', pk) >= maxPending then
  return {'FULL', maxPending}
end

local t = NOW
if ARGV[6] ~= '' then t = tonumber(ARGV[6]) end
local score = num((C.max_priority - tonumber(ARGV[5])) * C.band + t)
local member = string.format('%012d:', redis.call('INCR', K.seq())) .. id

local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', jk, 'status', 'pending', 'attempt', 0, 'created_at', NOW, 'updated_at', NOW,
  'score', score, 'qmember', member, unpack(fields))
redis.call('ZADD', pk, score, member)
redis.call('SADD', K.services(), svc)
if idem ~= '' then redis.call('SET', K.idem(idem), id, 'PX', C.idempotency_ttl_ms) end
local pos = redis.call('ZRANK', pk, member)
local seq = emit(id, 'job_submitted', 'pending', {'service', svc, 'priority', ARGV[5]})
wake(svc, id)
return {'OK', id, 'pending', score, pos, seq, NOW}
