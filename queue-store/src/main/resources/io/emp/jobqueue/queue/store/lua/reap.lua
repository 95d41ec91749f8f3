-- reap: jobs whose lease ran out (the worker died or stalled) are retried after a backoff from their
-- own budget of lost leases (endAttempt, kind 'lost'), not from the connector retries of max_retries;
-- a job whose cancel was requested is cancelled.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 batch size, 3 jitter draw in [0,1)
-- Returns: {job id, endAttempt's outcome ('CANCELLED', 'RETRY', 'DEAD', 'LOST'), ...}
-- Emits: EV.CANCELLED, EV.REQUEUED (reason lease_lost) or EV.FAILED (endAttempt, in the job's trace)
--! include: hmget, can, endAttempt
--! uses: K, F, ST, C, NOW, NOWS
local ids = redis.call('ZRANGEBYSCORE', K.active(), '-inf', NOWS, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
local r = tonumber(ARGV[3])
for i, id in ipairs(ids) do
  local jk = K.job(id)
  local h = hmget(jk, F.STATUS, F.CANCEL_REQUESTED, F.WORKER, F.TRACEPARENT, F.LEASE_UNTIL, F.LOST_ATTEMPTS)
  if not h[F.STATUS] or not can(h[F.STATUS], ST.FAILED) then
    redis.call('ZREM', K.active(), id)
  else
    local kind = 'lost'
    if h[F.CANCEL_REQUESTED] == '1' then kind = 'cancelled' end
    local msg = 'lease held by ' .. (h[F.WORKER] or '?') .. ' expired at ' .. (h[F.LEASE_UNTIL] or '?')
    if kind == 'lost' then
      local lost = (tonumber(h[F.LOST_ATTEMPTS] or '0') or 0) + 1
      msg = msg .. '; attempts lost to crashes: ' .. lost .. ' of ' .. C.max_lost_leases .. ' allowed'
      if lost > C.max_lost_leases then
        msg = msg .. '; giving up (retry.max_lost_leases)'
      end
    end
    local err = cjson.encode({type = 'lease_expired', reason = 'worker_lost', message = msg,
      worker_id = h[F.WORKER], max_lost_leases = C.max_lost_leases, at = NOW})
    -- spread jitter across the batch so reaped jobs do not all come back at once
    local ri = (r + i * 0.6180339887) % 1
    local res = endAttempt(id, kind, err, ri, h[F.TRACEPARENT])
    out[#out + 1] = id
    out[#out + 1] = res[1]
  end
end
return out
