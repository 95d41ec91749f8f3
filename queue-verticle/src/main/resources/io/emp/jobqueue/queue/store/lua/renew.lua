-- ARGV: 1 traceparent, 2 job id, 3 token, 4 lease ms
local id, token = ARGV[2], ARGV[3]
local jk = K.job(id)
local h, status = owned(jk, token)
if not h then return {'LOST', status} end
local leaseUntil = NOW + tonumber(ARGV[4])
redis.call('HSET', jk, 'lease_until', leaseUntil)
redis.call('ZADD', K.active(), leaseUntil, id)
return {'OK', h[3] or '0', leaseUntil}
