-- machine_drain: marks a registered machine to drain (its workers stop claiming and finish what they
-- run). Only an existing registration is marked: HSET alone would recreate an expired one without a
-- TTL. The mark lives in the registration, so a machine that restarts registers afresh without it.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 machine id, 3 who asked (audit), 4 now (ms, the caller's clock)
-- Returns: 1 marked, 0 no such machine
-- Emits: nothing
--! uses: K
local mk = K.machine(ARGV[2])
if redis.call('EXISTS', mk) == 0 then return 0 end
redis.call('HSET', mk, 'drain_requested_at', ARGV[4], 'drain_requested_by', ARGV[3])
return 1
