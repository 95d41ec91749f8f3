-- Shared helpers. The generated prelude above defines: K (key shapes), CAN (transition table),
-- NOW (Redis server time, ms), TP (caller's traceparent) and the C table of store settings.
-- Only the helpers a script uses are included in it (Scripts.java), so keep one function per
-- "local function" block and call helpers by name.

-- Every status change a script makes is checked against the one transition table (JobStatus.java).
local function can(from, to)
  return CAN[from .. '>' .. to] == true
end

-- Operator-only moves (retry, promote now) are kept apart in the same table under a '!' prefix.
local function canOperator(from, to)
  return from ~= nil and from ~= false and CAN['!' .. from .. '>' .. to] == true
end

-- A final status: no lifecycle transition leaves it (the same table, FINAL is derived from it).
local function isFinal(st)
  return st ~= nil and st ~= false and FINAL[st] == true
end

-- The browser's indexes: every job by creation time, per customer (so a customer's page is full) and
-- per service (so a service's page does not walk every other service's jobs).
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

local function num(s)
  return string.format('%.0f', s)
end

local function count(svc, what, n)
  redis.call('HINCRBY', K.counts(), svc .. ':' .. what, n)
end

-- Appends one event to the global stream and to the job's own capped stream (explicit id 0-<seq>,
-- so "resume after seq N" is a plain XRANGE). The caller has already stored seq in the job hash
-- (one HSET with its other fields). extra is a flat list; false values are skipped.
local function emit(id, seq, etype, status, extra, tp)
  local f = {'type', etype, 'job_id', id, 'seq', seq, 'status', status, 'ts', NOWS}
  tp = tp or TP
  if tp ~= nil and tp ~= '' and tp ~= false then
    f[#f + 1] = 'traceparent'
    f[#f + 1] = tp
  end
  if extra then
    for i = 1, #extra, 2 do
      local v = extra[i + 1]
      if v ~= false and v ~= nil and v ~= '' then
        f[#f + 1] = extra[i]
        f[#f + 1] = v
      end
    end
  end
  redis.call('XADD', K.events(), 'MAXLEN', '~', C.events_max, '*', unpack(f))
  if seq > C.job_events_max then
    redis.call('XADD', K.jobEvents(id), 'MAXLEN', C.job_events_max, '0-' .. seq, unpack(f))
  else
    redis.call('XADD', K.jobEvents(id), '0-' .. seq, unpack(f))
  end
end

local function wake(svc, id)
  redis.call('PUBLISH', K.wake(svc), id)
end

-- Indexes a final job and starts its retention clock (job hash and its event stream); the browser's
-- index entries end with it (trim.lua follows K.expiring).
local function finalize(id, svc, status)
  redis.call('ZADD', K.idx(status), NOWS, id)
  redis.call('ZADD', K.idxService(status, svc), NOWS, id)
  local ttl = C['retention_' .. status]
  redis.call('PEXPIRE', K.job(id), ttl)
  redis.call('PEXPIRE', K.jobEvents(id), ttl)
  redis.call('ZADD', K.expiring(), NOW + ttl, expiringMember(id, redis.call('HGET', K.job(id), 'customer_id'), svc))
  count(svc, status, 1)
end

local function backoff(attempt, r)
  local d = C.backoff_base_ms * (2 ^ (attempt - 1))
  if d > C.backoff_cap_ms then d = C.backoff_cap_ms end
  return math.floor(d * (1 - C.backoff_jitter * r))
end

local function appendError(jk, errJson)
  local chain = redis.call('HGET', jk, 'errors')
  local list = {}
  if chain then list = cjson.decode(chain) end
  list[#list + 1] = cjson.decode(errJson)
  while #list > C.error_chain_max do table.remove(list, 1) end
  redis.call('HSET', jk, 'error', errJson, 'errors', cjson.encode(list))
end

-- Ends an active attempt: cancelled, retried after a backoff, or failed for good (dead letter).
-- Shared by the worker's fail call and the lease reaper so both follow one policy. kind 'lost' is
-- an attempt whose lease ran out (its worker or machine died): it spends the job's own budget of
-- lost leases (C.max_lost_leases), never the connector retries of max_retries, which count only
-- failures a worker reported (attempts minus lost_attempts).
local function endAttempt(id, kind, errJson, r, tp)
  local jk = K.job(id)
  local h = redis.call('HMGET', jk, 'service_required', 'attempt', 'max_retries', 'worker_id', 'seq',
    'created_at', 'started_at', 'status', 'customer_id', 'baggage', 'lost_attempts', 'traceparent')
  if not can(h[8], 'failed') then return {'LOST', h[8] or ''} end
  local svc, attempt, maxr, wid, seq = h[1], tonumber(h[2]), tonumber(h[3]), h[4], tonumber(h[5]) + 1
  local lost = tonumber(h[11] or '0') or 0
  redis.call('ZREM', K.active(), id)
  if kind == 'lost' then
    lost = lost + 1
    redis.call('HSET', jk, 'lost_attempts', lost)
  end
  if errJson ~= '' then
    -- every entry of the chain says which attempt failed, on which worker, when and in which trace
    -- (a retried job's chain spans runs), and how many attempts crashes had cost so far
    local e = cjson.decode(errJson)
    if lost > 0 then e.lost_attempts = lost end
    if e.attempt == nil then e.attempt = attempt end
    if e.worker_id == nil and wid then e.worker_id = wid end
    if e.at == nil then e.at = NOW end
    if h[12] then e.trace_id = string.sub(h[12], 4, 35) end
    errJson = cjson.encode(e)
    appendError(jk, errJson)
  end
  if kind == 'cancelled' then
    redis.call('HSET', jk, 'status', 'cancelled', 'cancelled_at', NOWS, 'updated_at', NOWS, 'seq', seq)
    emit(id, seq, 'job_cancelled', 'cancelled', {'service', svc, 'worker_id', wid, 'attempt', attempt,
      'created_at', h[6], 'started_at', h[7], 'customer_id', h[9] or false, 'baggage', h[10] or false}, tp)
    finalize(id, svc, 'cancelled')
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
    redis.call('HSET', jk, 'status', 'delayed', 'due_at', due, 'last_failed_worker', wid or '',
      'updated_at', NOWS, 'seq', seq)
    redis.call('ZADD', K.delayed(), due, id)
    emit(id, seq, 'job_requeued', 'delayed', {'service', svc, 'reason', kind == 'lost' and 'lease_lost' or 'retry',
      'worker_id', wid, 'attempt', attempt, 'due_at', due, 'error', errJson}, tp)
    return {'RETRY', due}
  end
  redis.call('HSET', jk, 'status', 'failed', 'failed_at', NOWS, 'updated_at', NOWS, 'seq', seq)
  emit(id, seq, 'job_failed', 'failed', {'service', svc, 'worker_id', wid, 'attempt', attempt, 'error', errJson,
    'created_at', h[6], 'started_at', h[7], 'customer_id', h[9] or false, 'baggage', h[10] or false}, tp)
  finalize(id, svc, 'failed')
  return {'DEAD'}
end

-- A fenced call is allowed only while the caller's token owns an active job. Returns the
-- requested fields after token, status and cancel_requested.
local function owned(jk, token, ...)
  local h = redis.call('HMGET', jk, 'token', 'status', 'cancel_requested', ...)
  if h[1] ~= token or not h[2] or not can(h[2], 'completed') then
    return nil, (h[2] or '')
  end
  return h
end
