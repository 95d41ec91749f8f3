-- Renews a machine's registration and its workers' if this instance still holds it.
-- ARGV: 1 traceparent, 2 machine id, 3 instance token, 4 ttl ms, 5 now ms, 6 machine fields (JSON
--       object, merged), 7.. worker ids
-- Returns 'OK', 'GONE' (expired: the caller registers again) or 'TAKEN' (another instance holds it).
local mid, inst, ttl, now = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local mk = K.machine(mid)
local owner = redis.call('HGET', mk, 'instance')
if not owner then return 'GONE' end
if owner ~= inst then return 'TAKEN' end
local flat = {'last_heartbeat', now}
for k, v in pairs(cjson.decode(ARGV[6])) do
  flat[#flat + 1] = k
  flat[#flat + 1] = tostring(v)
end
redis.call('HSET', mk, unpack(flat))
redis.call('PEXPIRE', mk, ttl)
redis.call('ZADD', K.machines(), now, mid)
for i = 7, #ARGV do
  redis.call('PEXPIRE', K.worker(ARGV[i]), ttl)
  redis.call('ZADD', K.workers(), now, ARGV[i])
end
return 'OK'
