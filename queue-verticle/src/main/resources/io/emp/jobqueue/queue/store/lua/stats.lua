-- Per service: pending, active, delayed, completed, failed, cancelled, oldest pending age (ms, -1 if none).
-- The oldest pending job is the smallest time across priority bands: one ZRANGEBYSCORE per band in use.
-- Active and delayed counts come from their sets (bounded by workers and retries), so the hot
-- paths keep no counters for them.
local live = {}
local function tally(key, what)
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    local svc = redis.call('HGET', K.job(id), 'service_required')
    if svc then
      live[svc .. ':' .. what] = (live[svc .. ':' .. what] or 0) + 1
    end
  end
end
tally(K.active(), 'active')
tally(K.delayed(), 'delayed')
local out = {}
for _, svc in ipairs(redis.call('SMEMBERS', K.services())) do
  local pk = K.pending(svc)
  local c = redis.call('HMGET', K.counts(), svc .. ':completed', svc .. ':failed', svc .. ':cancelled')
  local oldest = nil
  local r = redis.call('ZRANGE', pk, 0, 0, 'WITHSCORES')
  while r[1] do
    local sc = tonumber(r[2])
    local band = math.floor(sc / C.band)
    local t = sc - band * C.band
    if oldest == nil or t < oldest then oldest = t end
    r = redis.call('ZRANGEBYSCORE', pk, num((band + 1) * C.band), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
  local age = -1
  if oldest then age = NOW - oldest end
  out[#out + 1] = {svc, redis.call('ZCARD', pk), live[svc .. ':active'] or 0, live[svc .. ':delayed'] or 0,
    c[1] or '0', c[2] or '0', c[3] or '0', age}
end
return out
