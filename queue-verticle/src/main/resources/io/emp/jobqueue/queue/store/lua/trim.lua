-- Drops index entries older than their status's retention (the jobs themselves expire by TTL).
-- ARGV: 1 traceparent
local removed = 0
local services = redis.call('SMEMBERS', K.services())
for _, st in ipairs({'completed', 'failed', 'cancelled'}) do
  local cutoff = NOW - C['retention_' .. st]
  removed = removed + redis.call('ZREMRANGEBYSCORE', K.idx(st), '-inf', cutoff)
  for _, svc in ipairs(services) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', K.idxService(st, svc), '-inf', cutoff)
  end
end
return removed
