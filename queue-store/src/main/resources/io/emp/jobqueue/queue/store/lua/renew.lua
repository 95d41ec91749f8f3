-- renew: the worker that holds a job extends its lease.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 claim token, 4 lease ms
-- Returns: {'OK', cancel_requested ('1' when a cancel was asked for), lease_until} or {'LOST', status}
-- Emits: nothing
--! include: owned
--! uses: K, F, NOW
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token)
if not h then return {'LOST', status} end
local leaseUntil = NOW + tonumber(ARGV[4])
redis.call('HSET', jk, F.LEASE_UNTIL, leaseUntil)
redis.call('ZADD', K.active(), leaseUntil, id)
return {'OK', h[F.CANCEL_REQUESTED] or '0', leaseUntil}
