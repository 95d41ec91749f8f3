-- Jobs whose lease ran out (the worker died or stalled) are retried after a backoff from their own
-- budget of lost leases (endAttempt, kind 'lost'), not from the connector retries of max_retries.
-- ARGV: 1 traceparent, 2 batch size, 3 jitter draw in [0,1)
local ids = redis.call('ZRANGEBYSCORE', K.active(), '-inf', NOWS, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
local r = tonumber(ARGV[3])
for i, id in ipairs(ids) do
  local jk = K.job(id)
  local h = redis.call('HMGET', jk, 'status', 'cancel_requested', 'worker_id', 'traceparent', 'lease_until',
    'lost_attempts')
  if not h[1] or not can(h[1], 'failed') then
    redis.call('ZREM', K.active(), id)
  else
    local kind = 'lost'
    if h[2] == '1' then kind = 'cancelled' end
    local msg = 'lease held by ' .. (h[3] or '?') .. ' expired at ' .. (h[5] or '?')
    if kind == 'lost' then
      local lost = (tonumber(h[6] or '0') or 0) + 1
      msg = msg .. '; attempts lost to crashes: ' .. lost .. ' of ' .. C.max_lost_leases .. ' allowed'
      if lost > C.max_lost_leases then
        msg = msg .. '; giving up (retry.max_lost_leases)'
      end
    end
    local err = cjson.encode({type = 'lease_expired', reason = 'worker_lost', message = msg, worker_id = h[3],
      max_lost_leases = C.max_lost_leases, at = NOW})
    -- spread jitter across the batch so reaped jobs do not all come back at once
    local ri = (r + i * 0.6180339887) % 1
    local res = endAttempt(id, kind, err, ri, h[4])
    out[#out + 1] = id
    out[#out + 1] = res[1]
  end
end
return out
