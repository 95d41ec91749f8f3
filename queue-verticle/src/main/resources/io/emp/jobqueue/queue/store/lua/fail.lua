-- ARGV: 1 traceparent, 2 job id, 3 token, 4 kind (retryable|permanent|cancelled), 5 error JSON,
--       6 jitter draw in [0,1)
local id, token = ARGV[2], ARGV[3]
local h, status = owned(K.job(id), token)
if not h then return {'LOST', status} end
return endAttempt(id, ARGV[4], ARGV[5], tonumber(ARGV[6]))
