-- select_retry: the failed or cancelled jobs a bulk retry would take, newest finished first, from the
-- final index (by finish time) of the status, or of the status and service. Read only.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 status, 3 service ('' = any), 4 error type ('' = any), 5 finished after (ms,
--       '' = any), 6 finished before (ms, '' = any), 7 limit, 8 most index entries to look at
-- Returns: {job id, ...}
-- Emits: nothing
--! include: hmget
--! uses: K, F
local st, svc, etype = ARGV[2], ARGV[3], ARGV[4]
local lo, hi = '-inf', '+inf'
if ARGV[5] ~= '' then lo = '(' .. ARGV[5] end
if ARGV[6] ~= '' then hi = '(' .. ARGV[6] end
local limit, budget = tonumber(ARGV[7]), tonumber(ARGV[8])
local key = K.idx(st)
if svc ~= '' then key = K.idxService(st, svc) end
local out, off, chunk = {}, 0, 500
while #out < limit and off < budget do
  local ids = redis.call('ZREVRANGEBYSCORE', key, hi, lo, 'LIMIT', off, chunk)
  for _, id in ipairs(ids) do
    local h = hmget(K.job(id), F.STATUS, F.LAST_ERROR)
    if h[F.STATUS] == st then
      local ok = etype == ''
      if not ok and h[F.LAST_ERROR] then
        local e = cjson.decode(h[F.LAST_ERROR])
        ok = e.type == etype
      end
      if ok then out[#out + 1] = id end
      if #out >= limit then break end
    end
  end
  if #ids < chunk then break end
  off = off + chunk
end
return out
