-- Per service: pending, active, delayed, completed, failed, cancelled, oldest pending age (ms, -1 if none).
-- The oldest pending job is the smallest time across priority bands: one ZRANGEBYSCORE per band in use.
local out = {}
for _, svc in ipairs(redis.call('SMEMBERS', K.services())) do
  local pk = K.pending(svc)
  local c = redis.call('HMGET', K.counts(), svc .. ':active', svc .. ':delayed', svc .. ':completed',
    svc .. ':failed', svc .. ':cancelled')
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
  out[#out + 1] = {svc, redis.call('ZCARD', pk), c[1] or '0', c[2] or '0', c[3] or '0', c[4] or '0',
    c[5] or '0', age}
end
return out
