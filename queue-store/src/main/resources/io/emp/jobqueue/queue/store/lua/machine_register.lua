-- machine_register: registers a machine and its workers, unless another live instance holds the
-- machine id: machine ids must be unique, or two machines would share worker ids and remove each
-- other's registrations.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 machine id, 3 instance token, 4 ttl ms, 5 now ms,
--       6 machine fields (JSON object), 7 workers (JSON object: worker id -> fields)
-- Returns: {'OK'} or {'TAKEN', holding instance, its last heartbeat, ms its registration has left}
-- Emits: nothing
--! uses: K
local mid, inst, ttl, now = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local mk = K.machine(mid)
local owner = redis.call('HGET', mk, 'instance')
if owner and owner ~= inst then
  return {'TAKEN', owner, redis.call('HGET', mk, 'last_heartbeat') or '', redis.call('PTTL', mk)}
end
local function hash(key, fields, extra)
  local flat = {}
  for k, v in pairs(fields) do
    flat[#flat + 1] = k
    flat[#flat + 1] = tostring(v)
  end
  for i = 1, #extra do flat[#flat + 1] = extra[i] end
  redis.call('DEL', key)
  if #flat > 0 then redis.call('HSET', key, unpack(flat)) end
  redis.call('PEXPIRE', key, ttl)
end
hash(mk, cjson.decode(ARGV[6]), {'instance', inst, 'last_heartbeat', now})
redis.call('ZADD', K.machines(), now, mid)
for wid, fields in pairs(cjson.decode(ARGV[7])) do
  hash(K.worker(wid), fields, {})
  redis.call('ZADD', K.workers(), now, wid)
end
return {'OK'}
