-- stats: per service, pending, active, delayed, completed, failed, cancelled and the oldest pending
-- job's age. The oldest pending job is the smallest time across priority bands: one ZRANGEBYSCORE per
-- band in use. Active and delayed counts come from their sets (bounded by workers and retries), so
-- the hot paths keep no counters for them; final counts come from the counts hash (finalize). Read only.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent
-- Returns: {{service, pending, active, delayed, completed, failed, cancelled, oldest pending age (ms,
--          -1 if none)}, ...}
-- Emits: nothing
--! include: num
--! uses: K, F, ST, C, NOW
local live = {}
local function tally(key, what)
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    local svc = redis.call('HGET', K.job(id), F.SERVICE)
    if svc then
      live[svc .. ':' .. what] = (live[svc .. ':' .. what] or 0) + 1
    end
  end
end
tally(K.active(), 'active')
tally(K.delayed(), ST.DELAYED)
local out = {}
for _, svc in ipairs(redis.call('SMEMBERS', K.services())) do
  local pk = K.pending(svc)
  local c = redis.call('HMGET', K.counts(), svc .. ':' .. ST.COMPLETED, svc .. ':' .. ST.FAILED,
    svc .. ':' .. ST.CANCELLED)
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
  out[#out + 1] = {svc, redis.call('ZCARD', pk), live[svc .. ':active'] or 0, live[svc .. ':' .. ST.DELAYED] or 0,
    c[1] or '0', c[2] or '0', c[3] or '0', age}
end
return out
