-- complete_claim: complete, then in the same call a claim for the same worker (the slot the
-- completion frees, and any other free ones): one round trip instead of two per job on a busy
-- worker. The completion is exactly complete.lua's (completeJob), the claim exactly claim.lua's
-- (claimJobs); a token that no longer owns the job completes nothing and claims nothing.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent (of the completing attempt), 2 job id, 3 claim token, 4 result JSON,
--       5 worker id, 6 claim tokens for the next jobs separated by spaces, 7 lease ms,
--       8 scan limit per service, 9 capabilities JSON ('' = the worker offers only its services),
--       10.. services
-- Returns: {'LOST', status} or {'OK', completed_at, then claim.lua's reply: 'OK', candidates
--          evaluated, pending left, assigned_at, per job: candidates evaluated for it, job hash as
--          a flat array; or 'NONE', candidates evaluated, pending total}
-- Emits: EV.COMPLETED for the job (in the caller's trace), EV.ASSIGNED per job claimed (in its
--        submit trace)
--! include: completeJob, claimJobs, claimReply
local done = completeJob(ARGV[2], ARGV[3], ARGV[4])
if done[1] ~= 'OK' then return done end
local caps = nil
if ARGV[9] ~= '' then caps = cjson.decode(ARGV[9]) end
local tokens, services = {}, {}
for tok in string.gmatch(ARGV[6], '%S+') do tokens[#tokens + 1] = tok end
for i = 10, #ARGV do services[#services + 1] = ARGV[i] end
local claims, evaluated, pendingTotal = claimJobs(ARGV[5], tokens, tonumber(ARGV[7]), tonumber(ARGV[8]), caps, services)
return claimReply(done, claims, evaluated, pendingTotal)
