-- trim: drops final index entries older than their status's retention (the jobs themselves expire by
-- TTL), and the browser's creation index entries of jobs whose retention ended.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent
-- Returns: how many index entries were removed
-- Emits: nothing
--! uses: K, ST, C, NOW, NOWS
local removed = 0
local services = redis.call('SMEMBERS', K.services())
for _, st in ipairs({ST.COMPLETED, ST.FAILED, ST.CANCELLED}) do
  local cutoff = NOW - C['retention_' .. st]
  removed = removed + redis.call('ZREMRANGEBYSCORE', K.idx(st), '-inf', cutoff)
  for _, svc in ipairs(services) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', K.idxService(st, svc), '-inf', cutoff)
  end
end
-- The browser's creation indexes: an entry goes when its job's retention ends (finalize() set the
-- time); a job retried or deleted before then has had its entry removed by that script.
local due = redis.call('ZRANGEBYSCORE', K.expiring(), '-inf', NOWS, 'LIMIT', 0, C.trim_batch)
for _, m in ipairs(due) do
  local customer, svc, id = string.match(m, '^(%S*) (%S+) (.+)$')
  if id then
    redis.call('ZREM', K.created(), id)
    redis.call('ZREM', K.createdService(svc), id)
    if customer ~= '' then redis.call('ZREM', K.createdCustomer(customer), id) end
  end
  redis.call('ZREM', K.expiring(), m)
  removed = removed + 1
end
return removed
