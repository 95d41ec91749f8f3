-- Shared helpers. A script names the ones it calls in its '--! include:' line; each helper names the
-- helpers it calls and the generated tables it reads the same way, in the comment right above it
-- ('--! include:', '--! uses:'). LuaAssembly.java puts exactly the declared helpers (dependencies
-- first) after the generated prelude, and fails the build when a call or a table is not declared.
-- Keep one helper per "local function" block, its comment and directives directly above it.

-- Every status change a script makes is checked against the one transition table (JobStatus.java).
--! uses: CAN
local function can(from, to)
  return CAN[from .. '>' .. to] == true
end

-- Operator-only moves (retry, promote now) are kept apart in the same table under a '!' prefix.
--! uses: CAN
local function canOperator(from, to)
  return from ~= nil and from ~= false and CAN['!' .. from .. '>' .. to] == true
end

-- A final status: no lifecycle transition leaves it (the same table, FINAL is derived from it).
--! uses: FINAL
local function isFinal(st)
  return st ~= nil and st ~= false and FINAL[st] == true
end

-- HMGET by name: {field = value} for the fields asked for (false where the hash has none, as HMGET
-- answers), so a script reads h[F.STATUS] rather than a position that moves when a field is added.
local function hmget(key, ...)
  local names = {...}
  local r = redis.call('HMGET', key, ...)
  local h = {}
  for i = 1, #names do h[names[i]] = r[i] end
  return h
end

-- The browser's indexes: every job by creation time, per customer (so a customer's page is full) and
-- per service (so a service's page does not walk every other service's jobs).
--! uses: K
local function indexCreated(id, customer, svc, created)
  redis.call('ZADD', K.created(), created, id)
  redis.call('ZADD', K.createdService(svc), created, id)
  if customer and customer ~= '' then
    redis.call('ZADD', K.createdCustomer(customer), created, id)
  end
end

-- The entry of the retention clock that trim.lua follows to drop the browser's index entries
-- (customer ids and service names never contain a space).
local function expiringMember(id, customer, svc)
  return (customer or '') .. ' ' .. svc .. ' ' .. id
end

-- A number as an integer string (scores beyond 2^53 would otherwise print in exponent form).
local function num(s)
  return string.format('%.0f', s)
end

-- The per service count of finished jobs (stats.lua).
--! uses: K
local function count(svc, what, n)
  redis.call('HINCRBY', K.counts(), svc .. ':' .. what, n)
end

-- Appends one event to the global stream and to the job's own capped history. The history is a list
-- of JSON arrays {type, seq, status, ts, name, value, ...} (no job id: the key names the job), so a
-- short history costs a few hundred bytes; seqs are consecutive, so job_events.lua finds "after seq N"
-- by position. Seq 1 (the submit) is not stored there: job_events.lua rebuilds it from the job hash,
-- so a pending job has no history key at all. The caller has already stored seq in the job hash (one
-- HSET with its other fields).
-- etype is an EV name, status an ST name; extra is a flat list of event fields (false values are
-- skipped); tp the trace the event belongs to (default: the caller's).
--! uses: K, C, NOWS, TP
local function emit(id, seq, etype, status, extra, tp)
  local f = {'type', etype, 'job_id', id, 'seq', seq, 'status', status, 'ts', NOWS}
  local h = {etype, tostring(seq), status, NOWS}
  tp = tp or TP
  if tp ~= nil and tp ~= '' and tp ~= false then
    f[#f + 1] = 'traceparent'
    f[#f + 1] = tp
    h[#h + 1] = 'traceparent'
    h[#h + 1] = tp
  end
  if extra then
    for i = 1, #extra, 2 do
      local v = extra[i + 1]
      if v ~= false and v ~= nil and v ~= '' then
        f[#f + 1] = extra[i]
        f[#f + 1] = v
        h[#h + 1] = extra[i]
        h[#h + 1] = tostring(v)
      end
    end
  end
  redis.call('XADD', K.events(), 'MAXLEN', '~', C.events_max, '*', unpack(f))
  if seq == 1 then return end
  local n = redis.call('RPUSH', K.jobEvents(id), cjson.encode(h))
  if n > C.job_events_max then
    redis.call('LTRIM', K.jobEvents(id), -C.job_events_max, -1)
  end
end

-- Tells the workers of a service that it has new work.
--! uses: K
local function wake(svc, id)
  redis.call('PUBLISH', K.wake(svc), id)
end

-- Indexes a final job and starts its retention clock (job hash and its event stream); the browser's
-- index entries end with it (trim.lua follows K.expiring).
--! include: expiringMember, count
--! uses: K, F, C, NOW, NOWS
local function finalize(id, svc, status)
  redis.call('ZADD', K.idx(status), NOWS, id)
  redis.call('ZADD', K.idxService(status, svc), NOWS, id)
  local ttl = C['retention_' .. status]
  -- the last attempt's fencing token and lease mean nothing once the job is final (a retry claims
  -- anew); dropping them keeps a retained job smaller (issue 16)
  redis.call('HDEL', K.job(id), F.TOKEN, F.LEASE_UNTIL)
  redis.call('PEXPIRE', K.job(id), ttl)
  redis.call('PEXPIRE', K.jobEvents(id), ttl)
  redis.call('ZADD', K.expiring(), NOW + ttl, expiringMember(id, redis.call('HGET', K.job(id), F.CUSTOMER), svc))
  count(svc, status, 1)
end

-- The retry delay of an attempt: exponential from the base, capped, less a jitter share (r in [0,1)).
--! uses: C
local function backoff(attempt, r)
  local d = C.backoff_base_ms * (2 ^ (attempt - 1))
  if d > C.backoff_cap_ms then d = C.backoff_cap_ms end
  return math.floor(d * (1 - C.backoff_jitter * r))
end

-- Sets the job's last error and appends it to its capped error chain.
--! uses: F, C
local function appendError(jk, errJson)
  local chain = redis.call('HGET', jk, F.ERRORS)
  local list = {}
  if chain then list = cjson.decode(chain) end
  list[#list + 1] = cjson.decode(errJson)
  while #list > C.error_chain_max do table.remove(list, 1) end
  redis.call('HSET', jk, F.LAST_ERROR, errJson, F.ERRORS, cjson.encode(list))
end

-- Ends an active attempt: cancelled, retried after a backoff, or failed for good (dead letter).
-- Shared by the worker's fail call and the lease reaper so both follow one policy. kind 'lost' is
-- an attempt whose lease ran out (its worker or machine died): it spends the job's own budget of
-- lost leases (C.max_lost_leases), never the connector retries of max_retries, which count only
-- failures a worker reported (attempts minus lost_attempts).
-- Emits EV.CANCELLED, EV.REQUEUED (reason lease_lost or retry) or EV.FAILED.
--! include: can, hmget, appendError, emit, finalize, backoff
--! uses: K, F, EV, ST, C, NOW, NOWS
local function endAttempt(id, kind, errJson, r, tp)
  local jk = K.job(id)
  local h = hmget(jk, F.SERVICE, F.ATTEMPT, F.MAX_RETRIES, F.WORKER, F.SEQ, F.CREATED_AT, F.STARTED_AT,
    F.STATUS, F.CUSTOMER, F.BAGGAGE, F.LOST_ATTEMPTS, F.TRACEPARENT)
  if not can(h[F.STATUS], ST.FAILED) then return {'LOST', h[F.STATUS] or ''} end
  local svc, attempt, maxr, wid = h[F.SERVICE], tonumber(h[F.ATTEMPT]), tonumber(h[F.MAX_RETRIES]), h[F.WORKER]
  local seq = tonumber(h[F.SEQ]) + 1
  local lost = tonumber(h[F.LOST_ATTEMPTS] or '0') or 0
  redis.call('ZREM', K.active(), id)
  if kind == 'lost' then
    lost = lost + 1
    redis.call('HSET', jk, F.LOST_ATTEMPTS, lost)
  end
  if errJson ~= '' then
    -- every entry of the chain says which attempt failed, on which worker, when and in which trace
    -- (a retried job's chain spans runs), and how many attempts crashes had cost so far
    local e = cjson.decode(errJson)
    if lost > 0 then e.lost_attempts = lost end
    if e.attempt == nil then e.attempt = attempt end
    if e.worker_id == nil and wid then e.worker_id = wid end
    if e.at == nil then e.at = NOW end
    if h[F.TRACEPARENT] then e.trace_id = string.sub(h[F.TRACEPARENT], 4, 35) end
    errJson = cjson.encode(e)
    appendError(jk, errJson)
  end
  if kind == 'cancelled' then
    redis.call('HSET', jk, F.STATUS, ST.CANCELLED, F.CANCELLED_AT, NOWS, F.UPDATED_AT, NOWS, F.SEQ, seq)
    emit(id, seq, EV.CANCELLED, ST.CANCELLED, {'service', svc, 'worker_id', wid, 'attempt', attempt,
      'created_at', h[F.CREATED_AT], 'started_at', h[F.STARTED_AT], 'customer_id', h[F.CUSTOMER] or false,
      'baggage', h[F.BAGGAGE] or false}, tp)
    finalize(id, svc, ST.CANCELLED)
    return {'CANCELLED'}
  end
  local retry, n = false, attempt - lost
  if kind == 'lost' then
    retry, n = lost <= C.max_lost_leases, lost
  elseif kind == 'retryable' then
    retry = n <= maxr
  end
  if retry then
    local due = NOW + backoff(n, r)
    redis.call('HSET', jk, F.STATUS, ST.DELAYED, F.DUE_AT, due, F.LAST_FAILED_WORKER, wid or '',
      F.UPDATED_AT, NOWS, F.SEQ, seq)
    redis.call('ZADD', K.delayed(), due, id)
    emit(id, seq, EV.REQUEUED, ST.DELAYED, {'service', svc, 'reason', kind == 'lost' and 'lease_lost' or 'retry',
      'worker_id', wid, 'attempt', attempt, 'due_at', due, 'error', errJson}, tp)
    return {'RETRY', due}
  end
  redis.call('HSET', jk, F.STATUS, ST.FAILED, F.FAILED_AT, NOWS, F.UPDATED_AT, NOWS, F.SEQ, seq)
  emit(id, seq, EV.FAILED, ST.FAILED, {'service', svc, 'worker_id', wid, 'attempt', attempt, 'error', errJson,
    'created_at', h[F.CREATED_AT], 'started_at', h[F.STARTED_AT], 'customer_id', h[F.CUSTOMER] or false,
    'baggage', h[F.BAGGAGE] or false}, tp)
  finalize(id, svc, ST.FAILED)
  return {'DEAD'}
end

-- A fenced call is allowed only while the caller's token owns an active job. Returns the job's
-- fields by name (hmget): F.TOKEN, F.STATUS, F.CANCEL_REQUESTED and the ones asked for; or nil and
-- the status when the token does not own the job.
--! include: hmget, can
--! uses: F, ST
local function owned(jk, token, ...)
  local h = hmget(jk, F.TOKEN, F.STATUS, F.CANCEL_REQUESTED, ...)
  if h[F.TOKEN] ~= token or not h[F.STATUS] or not can(h[F.STATUS], ST.COMPLETED) then
    return nil, (h[F.STATUS] or '')
  end
  return h
end

-- A capability value (a list or a single value) holds v.
local function listHas(list, v)
  if type(list) ~= 'table' then return list == v end
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

-- One required attribute against the worker's (docs/matching.md): a list needs every entry, a
-- number is a minimum, anything else must be equal.
--! include: listHas
local function attrMatches(want, have)
  if have == nil then return false end
  if type(want) == 'table' then
    for _, w in ipairs(want) do if not listHas(have, w) then return false end end
    return true
  end
  if type(have) == 'table' then return listHas(have, want) end
  if type(want) == 'number' then return tonumber(have) ~= nil and tonumber(have) >= want end
  return tostring(have) == tostring(want)
end

-- The order of customer isolation levels (none < loose < strict); nil for a name it does not know.
local function isolationLevel(name)
  if name == 'none' then return 0 elseif name == 'loose' then return 1 elseif name == 'strict' then return 2 end
  return nil
end

-- The matching rules (docs/matching.md): may a worker with capabilities c (an empty table when it
-- offers only its services) run a job of service svc with requirements req (nil: none)?
--! include: listHas, attrMatches, isolationLevel
local function workerMatches(req, customer, workflow, c, svc)
  if c.workflow_id and c.workflow_id ~= workflow then return false end
  local allowed, denied = c.allowed_customers, c.denied_customers
  if customer and denied and listHas(denied, customer) then return false end
  if allowed and #allowed > 0 and not (customer and listHas(allowed, customer)) then return false end
  local wlevel = isolationLevel(c.customer_isolation or 'none')
  if wlevel == 2 and not customer then return false end
  if req == nil then return true end
  if isolationLevel(req.customer_isolation or 'none') > wlevel then return false end
  if req.hardware then
    local hw = c.hardware or {}
    for k, v in pairs(req.hardware) do
      if hw[k] == nil or hw[k] < v then return false end
    end
  end
  if req.models then
    local m = (c.models or {})[svc] or {}
    for _, want in ipairs(req.models) do if not listHas(m, want) then return false end end
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
          if listHas(have, x) or tostring(have) == tostring(x) then return false end
        end
      end
    end
  end
  return true
end

-- Claims for worker wid up to one pending job per token (claim.lua, complete_claim.lua), each the
-- one a lone claim would take at that moment: the first in queue order (priority band, then submit
-- time) across the services that passes the matching rules (docs/matching.md), skipping paused
-- services and, for a while, jobs that just failed on this worker. Each job gets its own token and
-- lease. Between picks the script remembers, per service, how many head entries it rejected (the
-- rules do not change within one call), so picking N jobs costs about what N lone claims would
-- after the first. caps: the decoded capabilities, nil when the worker offers only its services.
-- Returns the claims in order ({jobs evaluated for it, job hash as a flat array} each), the entries
-- evaluated in all, and the pending total of the services before the claims.
-- Emits: EV.ASSIGNED per job (in the job's submit trace)
--! include: hmget, can, emit, workerMatches
--! uses: K, F, EV, ST, C, NOW, NOWS
local function claimJobs(wid, tokens, lease, scan, caps, services)
  local claims, evaluatedAll, pendingTotal = {}, 0, 0
  local decoded, rejected, paused = {}, {}, {}
  for _, svc in ipairs(services) do
    pendingTotal = pendingTotal + redis.call('ZCARD', K.pending(svc))
    -- An admin pause is checked here, so even a worker that missed the pause broadcast cannot claim.
    paused[svc] = redis.call('SISMEMBER', K.paused(), svc) == 1
    rejected[svc] = 0
  end
  for t = 1, #tokens do
    local best, bestScore, bestSvc, bestId, bestH = nil, nil, nil, nil, nil
    local evaluated = 0
    for _, svc in ipairs(services) do
      local pk = K.pending(svc)
      -- Read candidates in growing chunks: the first entry matches almost always, and fetching the
      -- whole scan window up front would cost far more than the match itself.
      local offset, chunk, stop, seen = rejected[svc], 1, paused[svc], rejected[svc]
      local skipped = 0
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
          local h = hmget(K.job(id), F.STATUS, F.REQUIREMENTS, F.CUSTOMER, F.WORKFLOW, F.LAST_FAILED_WORKER,
            F.DUE_AT, F.ATTEMPT, F.SEQ, F.TRACEPARENT)
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
                -- jobs of one kind share their requirements: decode each distinct JSON once per call
                req = decoded[reqJson]
                if req == nil then
                  req = cjson.decode(reqJson)
                  decoded[reqJson] = req
                end
              end
              ok = workerMatches(req, h[F.CUSTOMER], h[F.WORKFLOW], caps or {}, svc)
            end
            if ok then
              best, bestScore, bestSvc, bestId, bestH = member, sc, svc, id, h
              stop = true
              break
            end
            skipped = skipped + 1
          end
        end
        offset = offset + n
        seen = seen + n
        chunk = chunk * 4
      end
      -- the entries rejected so far stay rejected for this worker until the call ends
      rejected[svc] = rejected[svc] + skipped
    end
    evaluatedAll = evaluatedAll + evaluated
    if not best then break end
    local jk = K.job(bestId)
    local leaseUntil = NOW + lease
    local attempt = tonumber(bestH[F.ATTEMPT]) + 1
    local seq = tonumber(bestH[F.SEQ]) + 1
    redis.call('ZREM', K.pending(bestSvc), best)
    redis.call('HSET', jk, F.STATUS, ST.ASSIGNED, F.WORKER, wid, F.TOKEN, tokens[t], F.ASSIGNED_AT, NOWS,
      F.LEASE_UNTIL, leaseUntil, F.UPDATED_AT, NOWS, F.CANCEL_REQUESTED, '0', F.ATTEMPT, attempt, F.SEQ, seq)
    redis.call('ZADD', K.active(), leaseUntil, bestId)
    -- The worker's claim span does not exist yet, so the event hangs off the submit span stored in the job.
    emit(bestId, seq, EV.ASSIGNED, ST.ASSIGNED, {'service', bestSvc, 'worker_id', wid, 'attempt', attempt},
      bestH[F.TRACEPARENT])
    claims[#claims + 1] = {evaluated, redis.call('HGETALL', jk)}
  end
  return claims, evaluatedAll, pendingTotal
end

-- A claim's reply (claim.lua, complete_claim.lua): {'OK', evaluated, pending left, assigned_at,
-- then per job: jobs evaluated for it, job hash as a flat array} or {'NONE', evaluated, pending total};
-- appended to out.
--! uses: NOWS
local function claimReply(out, claims, evaluated, pendingTotal)
  if #claims == 0 then
    out[#out + 1] = 'NONE'
    out[#out + 1] = evaluated
    out[#out + 1] = pendingTotal
    return out
  end
  out[#out + 1] = 'OK'
  out[#out + 1] = evaluated
  out[#out + 1] = pendingTotal - #claims
  out[#out + 1] = NOWS
  for _, c in ipairs(claims) do
    out[#out + 1] = c[1]
    out[#out + 1] = c[2]
  end
  return out
end

-- The worker that holds a job reports its result; the job is final (complete.lua, complete_claim.lua).
-- Returns {'OK', completed_at} or {'LOST', status} (the token no longer owns the job).
-- Emits: EV.COMPLETED (the result inline up to C.event_result_max bytes)
--! include: owned, emit, finalize
--! uses: K, F, EV, ST, C, NOWS
local function completeJob(id, token, result)
  local jk = K.job(id)
  local j, status = owned(jk, token, F.SERVICE, F.WORKER, F.ATTEMPT, F.CREATED_AT, F.STARTED_AT, F.ASSIGNED_AT,
    F.SEQ, F.CUSTOMER, F.BAGGAGE)
  if not j then return {'LOST', status} end
  local svc = j[F.SERVICE]
  local started = j[F.STARTED_AT] or j[F.ASSIGNED_AT]
  local seq = tonumber(j[F.SEQ]) + 1
  redis.call('HSET', jk, F.STATUS, ST.COMPLETED, F.COMPLETED_AT, NOWS, F.UPDATED_AT, NOWS, F.PROGRESS, 100,
    F.RESULT, result, F.STARTED_AT, started, F.SEQ, seq)
  redis.call('ZREM', K.active(), id)
  local inline = result
  if #result > C.event_result_max then inline = false end
  emit(id, seq, EV.COMPLETED, ST.COMPLETED, {'service', svc, 'worker_id', j[F.WORKER], 'attempt', j[F.ATTEMPT],
    'created_at', j[F.CREATED_AT], 'started_at', started, 'result', inline, 'customer_id', j[F.CUSTOMER] or false,
    'baggage', j[F.BAGGAGE] or false})
  finalize(id, svc, ST.COMPLETED)
  return {'OK', NOWS}
end
