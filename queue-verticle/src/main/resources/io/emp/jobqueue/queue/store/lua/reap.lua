-- Jobs whose lease ran out (the worker died or stalled) are retried or failed by the same policy
-- as a worker-reported failure. ARGV: 1 traceparent, 2 batch size, 3 jitter draw in [0,1)
local ids = redis.call('ZRANGEBYSCORE', K.active(), '-inf', NOWS, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
local r = tonumber(ARGV[3])
for i, id in ipairs(ids) do
  local jk = K.job(id)
  local h = redis.call('HMGET', jk, 'status', 'cancel_requested', 'worker_id', 'traceparent', 'lease_until')
  if not h[1] or not can(h[1], 'failed') then
    redis.call('ZREM', K.active(), id)
  else
    local kind = 'retryable'
    if h[2] == '1' then kind = 'cancelled' end
    local err = cjson.encode({type = 'lease_expired', reason = 'worker_lost',
      message = 'lease held by ' .. (h[3] or '?') .. ' expired at ' .. (h[5] or '?'), worker_id = h[3],
      at = NOW})
    -- spread jitter across the batch so reaped jobs do not all come back at once
    local ri = (r + i * 0.6180339887) % 1
    local res = endAttempt(id, kind, err, ri, h[4])
    out[#out + 1] = id
    out[#out + 1] = res[1]
  end
end
return out
