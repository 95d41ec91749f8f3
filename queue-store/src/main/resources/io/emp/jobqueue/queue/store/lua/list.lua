-- list: jobs by status and service, a page at a time. Read only.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 status ('' = every status), 3 service ('' = every service),
--       4 cursor ('' or '<status index>:<offset>'), 5 limit
-- Returns: {next cursor or '', job hash as flat array, ...}. Offsets are positions in each status's
--          own order (pending: queue order; active/delayed: lease/due order; final: newest first), so
--          concurrent changes can shift a page by a few entries; nothing is ever returned from outside
--          the filter.
-- Emits: nothing
--! include: hmget
--! uses: K, F, ST, C
-- the cursor's status index is a position in this order: changing it breaks cursors held by clients
local ORDER = {ST.ASSIGNED, ST.IN_PROGRESS, ST.PENDING, ST.DELAYED, ST.COMPLETED, ST.FAILED, ST.CANCELLED}
local wantStatus, svc, limit = ARGV[2], ARGV[3], tonumber(ARGV[5])
local si, offset = 1, 0
if ARGV[4] ~= '' then
  local a, b = string.match(ARGV[4], '^(%d+):(%d+)$')
  si, offset = tonumber(a), tonumber(b)
end

local function pendingIds(off, n)
  local ids = {}
  if svc ~= '' then
    for _, m in ipairs(redis.call('ZRANGE', K.pending(svc), off, off + n - 1)) do
      ids[#ids + 1] = string.sub(m, 14)
    end
    return ids
  end
  local all = {}
  for _, s in ipairs(redis.call('SMEMBERS', K.services())) do
    local r = redis.call('ZRANGE', K.pending(s), 0, off + n - 1, 'WITHSCORES')
    for i = 1, #r, 2 do all[#all + 1] = {tonumber(r[i + 1]), r[i]} end
  end
  table.sort(all, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[2] < y[2]) end)
  for i = off + 1, math.min(#all, off + n) do ids[#ids + 1] = string.sub(all[i][2], 14) end
  return ids
end

-- Active and delayed sets are small (bounded by workers and retries); scan them with a filter.
local function filtered(key, st, off, n)
  local ids, seen = {}, 0
  for _, id in ipairs(redis.call('ZRANGE', key, 0, C.list_scan_max - 1)) do
    local h = hmget(K.job(id), F.STATUS, F.SERVICE)
    if h[F.STATUS] == st and (svc == '' or h[F.SERVICE] == svc) then
      seen = seen + 1
      if seen > off then ids[#ids + 1] = id end
      if #ids >= n then break end
    end
  end
  return ids
end

local function fetch(st, off, n)
  if st == ST.PENDING then return pendingIds(off, n) end
  if st == ST.ASSIGNED or st == ST.IN_PROGRESS then return filtered(K.active(), st, off, n) end
  if st == ST.DELAYED then return filtered(K.delayed(), st, off, n) end
  local key = K.idx(st)
  if svc ~= '' then key = K.idxService(st, svc) end
  return redis.call('ZREVRANGE', key, off, off + n - 1)
end

local out = {''}
local got = 0
while si <= #ORDER and got < limit do
  local st = ORDER[si]
  if wantStatus == '' or wantStatus == st then
    local n = limit - got
    local ids = fetch(st, offset, n)
    for _, id in ipairs(ids) do
      local h = redis.call('HGETALL', K.job(id))
      if #h > 0 then out[#out + 1] = h end
    end
    got = got + #ids
    if #ids == n then
      out[1] = si .. ':' .. (offset + #ids)
      return out
    end
  end
  si = si + 1
  offset = 0
end
return out
