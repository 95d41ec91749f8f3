-- browse: the job browser. Jobs newest created first, matching a filter, after an exact cursor. Reads a
-- customer's own creation index when the filter names a customer (so a customer's page is full of
-- its own jobs), else the service's when it names a service, else the index of every job. Looks at no
-- more than a budget of index entries per call; the caller calls again from the returned position
-- until its page is full. Read only.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 filter (JSON object: status, service, customer_id, worker_id, error_type,
--       created_after, created_before, finished_after, finished_before, id_prefix; all optional),
--       3 position ('' = newest, else '<created_at>:<job id>' of the last entry looked at),
--       4 most jobs to return, 5 most index entries to look at
-- Returns: {position of the last entry looked at ('' = none), '1' when the index has no more entries
--          else '0', job hash as a flat array, ...}
-- Emits: nothing
--! include: num, hmget
--! uses: K, F
local f = cjson.decode(ARGV[2])
local want, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local key = K.created()
if f.customer_id then
  key = K.createdCustomer(f.customer_id)
elseif f.service then
  key = K.createdService(f.service)
end
local hi, lo = '+inf', '-inf'
if f.created_before then hi = '(' .. num(f.created_before) end
if f.created_after then lo = '(' .. num(f.created_after) end
local ps, pid = nil, nil
if ARGV[3] ~= '' then
  local a, b = string.match(ARGV[3], '^(%d+):(.+)$')
  ps, pid = tonumber(a), b
  if f.created_before == nil or ps < tonumber(f.created_before) then hi = a end
end

local function finishedAt(h)
  return tonumber(h[F.COMPLETED_AT] or h[F.FAILED_AT] or h[F.CANCELLED_AT] or '')
end

local function matches(id, h)
  if not h[F.STATUS] then return false end
  if f.status and h[F.STATUS] ~= f.status then return false end
  if f.service and h[F.SERVICE] ~= f.service then return false end
  if f.customer_id and h[F.CUSTOMER] ~= f.customer_id then return false end
  if f.worker_id and h[F.WORKER] ~= f.worker_id then return false end
  if f.id_prefix and string.sub(id, 1, #f.id_prefix) ~= f.id_prefix then return false end
  if f.error_type then
    if not h[F.LAST_ERROR] then return false end
    local ok, e = pcall(cjson.decode, h[F.LAST_ERROR])
    if not ok or type(e) ~= 'table' or e.type ~= f.error_type then return false end
  end
  if f.finished_after or f.finished_before then
    local t = finishedAt(h)
    if not t then return false end
    if f.finished_after and t <= f.finished_after then return false end
    if f.finished_before and t >= f.finished_before then return false end
  end
  return true
end

local out = {'', '0'}
local got, seen, off, chunk = 0, 0, 0, 200
while got < want and seen < budget do
  local r = redis.call('ZREVRANGEBYSCORE', key, hi, lo, 'WITHSCORES', 'LIMIT', off, chunk)
  for i = 1, #r, 2 do
    local id, sc = r[i], tonumber(r[i + 1])
    -- entries at the position's own time: only those after it (members of one score come in reverse order)
    if not (ps and sc == ps and id >= pid) then
      seen = seen + 1
      out[1] = string.format('%d', sc) .. ':' .. id
      local h = hmget(K.job(id), F.STATUS, F.SERVICE, F.CUSTOMER, F.WORKER, F.LAST_ERROR, F.COMPLETED_AT,
        F.FAILED_AT, F.CANCELLED_AT)
      if matches(id, h) then
        out[#out + 1] = redis.call('HGETALL', K.job(id))
        got = got + 1
      end
      if got >= want or seen >= budget then return out end
    end
  end
  if #r < 2 * chunk then
    out[2] = '1'
    return out
  end
  off = off + chunk
end
return out
