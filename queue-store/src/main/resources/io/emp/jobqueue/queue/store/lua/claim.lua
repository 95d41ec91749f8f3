-- claim: a worker takes the best pending job it may run, across the services it offers: the first
-- in queue order (priority band, then submit time) that passes the matching rules (docs/matching.md),
-- skipping paused services and, for a while, jobs that just failed on this worker.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 worker id, 3 claim token, 4 lease ms, 5 scan limit per service,
--       6 capabilities JSON ('' = the worker offers only its services), 7.. services
-- Returns: {'OK', candidates evaluated, pending left, assigned_at, job hash as a flat array} or
--          {'NONE', candidates evaluated, pending total}
-- Emits: EV.ASSIGNED (in the job's submit trace)
--! include: hmget, can, emit
--! uses: K, F, EV, ST, C, NOW, NOWS
local wid, token, lease, scan = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local caps = nil
if ARGV[6] ~= '' then caps = cjson.decode(ARGV[6]) end

local function has(list, v)
  if type(list) ~= 'table' then return list == v end
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

local function attrMatches(want, have)
  if have == nil then return false end
  if type(want) == 'table' then
    for _, w in ipairs(want) do if not has(have, w) then return false end end
    return true
  end
  if type(have) == 'table' then return has(have, want) end
  if type(want) == 'number' then return tonumber(have) ~= nil and tonumber(have) >= want end
  return tostring(have) == tostring(want)
end

local LEVEL = {none = 0, loose = 1, strict = 2}

-- The matching rules (docs/matching.md). c = capabilities (may be an empty table).
local function matches(req, customer, workflow, c, svc)
  if c.workflow_id and c.workflow_id ~= workflow then return false end
  local allowed, denied = c.allowed_customers, c.denied_customers
  if customer and denied and has(denied, customer) then return false end
  if allowed and #allowed > 0 and not (customer and has(allowed, customer)) then return false end
  local wlevel = LEVEL[c.customer_isolation or 'none']
  if wlevel == 2 and not customer then return false end
  if req == nil then return true end
  if LEVEL[req.customer_isolation or 'none'] > wlevel then return false end
  if req.hardware then
    local hw = c.hardware or {}
    for k, v in pairs(req.hardware) do
      if hw[k] == nil or hw[k] < v then return false end
    end
  end
  if req.models then
    local m = (c.models or {})[svc] or {}
    for _, want in ipairs(req.models) do if not has(m, want) then return false end end
  end
  local attrs = c.attributes or {}
  if req.attributes then
    for k, v in pairs(req.attributes) do if not attrMatches(v, attrs[k]) then return false end end
  end
  if req.negative then
    for k, v in pairs(req.negative) do
      local have = attrs[k]
      if have ~= nil then
        local vs = v
        if type(v) ~= 'table' then vs = {v} end
        for _, x in ipairs(vs) do
          if has(have, x) or tostring(have) == tostring(x) then return false end
        end
      end
    end
  end
  return true
end

local best, bestScore, bestSvc, bestId, bestH = nil, nil, nil, nil, nil
local evaluated, pendingTotal = 0, 0
local decoded = {}
for i = 7, #ARGV do
  local svc = ARGV[i]
  local pk = K.pending(svc)
  pendingTotal = pendingTotal + redis.call('ZCARD', pk)
  -- Read candidates in growing chunks: the first entry matches almost always, and fetching the
  -- whole scan window up front would cost far more than the match itself. A paused service (admin
  -- pause) is skipped here, so even a worker that missed the pause broadcast cannot claim from it.
  local offset, chunk, stop, seen = 0, 1, redis.call('SISMEMBER', K.paused(), svc) == 1, 0
  while not stop and seen < scan do
    local n = math.min(chunk, scan - seen)
    local cands = redis.call('ZRANGE', pk, offset, offset + n - 1, 'WITHSCORES')
    if #cands < 2 * n then stop = true end
    for j = 1, #cands, 2 do
      local member, sc = cands[j], tonumber(cands[j + 1])
      -- Everything further down this set orders after the best found so far in another set.
      if bestScore ~= nil and (sc > bestScore or (sc == bestScore and member > best)) then
        stop = true
        break
      end
      evaluated = evaluated + 1
      local id = string.sub(member, 14)
      local h = hmget(K.job(id), F.STATUS, F.REQUIREMENTS, F.CUSTOMER, F.WORKFLOW, F.LAST_FAILED_WORKER, F.DUE_AT,
        F.ATTEMPT, F.SEQ, F.TRACEPARENT)
      if not h[F.STATUS] or not can(h[F.STATUS], ST.ASSIGNED) then
        -- A queue entry without a pending job behind it (expired or inconsistent): drop it.
        redis.call('ZREM', pk, member)
        offset = offset - 1
      else
        local avoid = h[F.LAST_FAILED_WORKER] == wid and h[F.DUE_AT] and NOW < tonumber(h[F.DUE_AT]) + C.avoid_window_ms
        local ok = not avoid
        local reqJson = h[F.REQUIREMENTS]
        if ok and (caps ~= nil or reqJson) then
          local req = nil
          if reqJson then
            -- jobs of one kind share their requirements: decode each distinct JSON once per claim
            req = decoded[reqJson]
            if req == nil then
              req = cjson.decode(reqJson)
              decoded[reqJson] = req
            end
          end
          ok = matches(req, h[F.CUSTOMER], h[F.WORKFLOW], caps or {}, svc)
        end
        if ok then
          best, bestScore, bestSvc, bestId, bestH = member, sc, svc, id, h
          stop = true
          break
        end
      end
    end
    offset = offset + n
    seen = seen + n
    chunk = chunk * 4
  end
end

if not best then return {'NONE', evaluated, pendingTotal} end

local jk = K.job(bestId)
local leaseUntil = NOW + lease
local attempt = tonumber(bestH[F.ATTEMPT]) + 1
local seq = tonumber(bestH[F.SEQ]) + 1
redis.call('ZREM', K.pending(bestSvc), best)
redis.call('HSET', jk, F.STATUS, ST.ASSIGNED, F.WORKER, wid, F.TOKEN, token, F.ASSIGNED_AT, NOWS,
  F.LEASE_UNTIL, leaseUntil, F.UPDATED_AT, NOWS, F.CANCEL_REQUESTED, '0', F.ATTEMPT, attempt, F.SEQ, seq)
redis.call('ZADD', K.active(), leaseUntil, bestId)
-- The worker's claim span does not exist yet, so the event hangs off the submit span stored in the job.
emit(bestId, seq, EV.ASSIGNED, ST.ASSIGNED, {'service', bestSvc, 'worker_id', wid, 'attempt', attempt},
  bestH[F.TRACEPARENT])
return {'OK', evaluated, pendingTotal - 1, NOWS, redis.call('HGETALL', jk)}
