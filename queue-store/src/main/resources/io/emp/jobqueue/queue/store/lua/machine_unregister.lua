-- machine_unregister: removes a machine and its workers (clean shutdown), unless another instance holds
-- the machine id: a machine refused for a duplicate id must not remove the registration of the one
-- that runs.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 machine id, 3 instance token, 4.. worker ids
-- Returns: 'OK' or 'TAKEN'
-- Emits: nothing
--! uses: K
local mid, inst = ARGV[2], ARGV[3]
local mk = K.machine(mid)
local owner = redis.call('HGET', mk, 'instance')
if owner and owner ~= inst then return 'TAKEN' end
redis.call('DEL', mk)
redis.call('ZREM', K.machines(), mid)
for i = 4, #ARGV do
  redis.call('DEL', K.worker(ARGV[i]))
  redis.call('ZREM', K.workers(), ARGV[i])
end
return 'OK'
