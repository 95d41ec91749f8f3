-- machine_heartbeat: renews a machine's registration and its workers' if this instance still holds it,
-- merging what the heartbeat reports (status, busy slots, current jobs, services' health) into the
-- hashes. Machine and worker hash fields are the registry's (RegistryView), not a job's.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 machine id, 3 instance token, 4 ttl ms, 5 now ms, 6 machine fields (JSON
--       object, merged), 7 worker fields (JSON object: worker id -> fields, merged into registered
--       workers only), 8.. worker ids
-- Returns: 'OK', 'GONE' (expired: the caller registers again) or 'TAKEN' (another instance holds it)
-- Emits: nothing
--! uses: K
local mid, inst, ttl, now = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local mk = K.machine(mid)
local owner = redis.call('HGET', mk, 'instance')
if not owner then return 'GONE' end
if owner ~= inst then return 'TAKEN' end
local function merge(key, fields, extra)
  local flat = extra
  for k, v in pairs(fields) do
    flat[#flat + 1] = k
    flat[#flat + 1] = tostring(v)
  end
  if #flat > 0 then redis.call('HSET', key, unpack(flat)) end
end
merge(mk, cjson.decode(ARGV[6]), {'last_heartbeat', now})
redis.call('PEXPIRE', mk, ttl)
redis.call('ZADD', K.machines(), now, mid)
local workers = {}
if ARGV[7] ~= '' then workers = cjson.decode(ARGV[7]) end
for i = 8, #ARGV do
  local wk = K.worker(ARGV[i])
  -- an expired worker hash is not recreated half-filled: the machine registers again when it is GONE
  if redis.call('EXISTS', wk) == 1 then
    merge(wk, workers[ARGV[i]] or {}, {'last_heartbeat', now})
    redis.call('PEXPIRE', wk, ttl)
  end
  redis.call('ZADD', K.workers(), now, ARGV[i])
end
return 'OK'
