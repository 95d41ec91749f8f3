-- Read only: the failed or cancelled jobs a bulk retry would take, newest finished first, from the
-- final index (by finish time) of the status, or of the status and service.
-- ARGV: 1 traceparent, 2 status, 3 service ('' = any), 4 error type ('' = any), 5 finished after (ms,
--       '' = any), 6 finished before (ms, '' = any), 7 limit, 8 most index entries to look at
-- Returns {job id, ...}.
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
    local h = redis.call('HMGET', K.job(id), 'status', 'error')
    if h[1] == st then
      local ok = etype == ''
      if not ok and h[2] then
        local e = cjson.decode(h[2])
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
