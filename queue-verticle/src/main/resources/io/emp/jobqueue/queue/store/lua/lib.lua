-- Shared helpers. The generated prelude above defines: K (key shapes), CAN (transition table),
-- NOW (Redis server time, ms), TP (caller's traceparent) and the C table of store settings.

local function can(from, to)
  local t = CAN[from]
  return t ~= nil and t[to] == true
end

local function num(s)
  return string.format('%.0f', s)
end

local function count(svc, what, n)
  redis.call('HINCRBY', K.counts(), svc .. ':' .. what, n)
end

-- Appends one event to the global stream and to the job's own capped stream (explicit id 0-<seq>,
-- so "resume after seq N" is a plain XRANGE). extra is a flat list; false values are skipped.
local function emit(id, etype, status, extra, tp)
  local seq = redis.call('HINCRBY', K.job(id), 'seq', 1)
  local f = {'type', etype, 'job_id', id, 'seq', seq, 'status', status, 'ts', NOW}
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
  redis.call('XADD', K.jobEvents(id), 'MAXLEN', C.job_events_max, '0-' .. seq, unpack(f))
  return seq
end

local function wake(svc, id)
  redis.call('PUBLISH', K.wake(svc), id)
end

-- Indexes a final job and starts its retention clock (job hash, its event stream, nothing else).
local function finalize(id, svc, status)
  redis.call('ZADD', K.idx(status), NOW, id)
  redis.call('ZADD', K.idxService(status, svc), NOW, id)
  local ttl = C['retention_' .. status]
  redis.call('PEXPIRE', K.job(id), ttl)
  redis.call('PEXPIRE', K.jobEvents(id), ttl)
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
-- Shared by the worker's fail call and the lease reaper so both follow one policy.
local function endAttempt(id, kind, errJson, r, tp)
  local jk = K.job(id)
  local h = redis.call('HMGET', jk, 'service_required', 'attempt', 'max_retries', 'worker_id', 'status',
    'created_at', 'started_at')
  local svc, attempt, maxr, wid = h[1], tonumber(h[2]), tonumber(h[3]), h[4]
  redis.call('ZREM', K.active(), id)
  count(svc, 'active', -1)
  if errJson ~= '' then appendError(jk, errJson) end
  if kind == 'cancelled' then
    redis.call('HSET', jk, 'status', 'cancelled', 'cancelled_at', NOW, 'updated_at', NOW)
    count(svc, 'cancelled', 1)
    emit(id, 'job_cancelled', 'cancelled', {'service', svc, 'worker_id', wid, 'attempt', attempt,
      'created_at', h[6], 'started_at', h[7]}, tp)
    finalize(id, svc, 'cancelled')
    return {'CANCELLED'}
  end
  if kind == 'retryable' and attempt <= maxr then
    local due = NOW + backoff(attempt, r)
    redis.call('HSET', jk, 'status', 'delayed', 'due_at', due, 'last_failed_worker', wid or '',
      'updated_at', NOW)
    redis.call('ZADD', K.delayed(), due, id)
    count(svc, 'delayed', 1)
    emit(id, 'job_requeued', 'delayed', {'service', svc, 'reason', 'retry', 'worker_id', wid,
      'attempt', attempt, 'due_at', due, 'error', errJson}, tp)
    return {'RETRY', due}
  end
  redis.call('HSET', jk, 'status', 'failed', 'failed_at', NOW, 'updated_at', NOW)
  count(svc, 'failed', 1)
  emit(id, 'job_failed', 'failed', {'service', svc, 'worker_id', wid, 'attempt', attempt, 'error', errJson,
    'created_at', h[6], 'started_at', h[7]}, tp)
  finalize(id, svc, 'failed')
  return {'DEAD'}
end

-- A fenced call is allowed only while the caller's token owns an active job.
local function owned(jk, token)
  local h = redis.call('HMGET', jk, 'token', 'status', 'cancel_requested')
  if h[1] ~= token or (h[2] ~= 'assigned' and h[2] ~= 'in_progress') then
    return nil, (h[2] or '')
  end
  return h
end
