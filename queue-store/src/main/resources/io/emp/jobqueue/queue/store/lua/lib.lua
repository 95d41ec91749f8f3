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
-- by position. The caller has already stored seq in the job hash (one HSET with its other fields).
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
