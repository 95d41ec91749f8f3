-- claim: a worker takes the best pending jobs it may run, across the services it offers, one per
-- claim token: each the first in queue order (priority band, then submit time) that passes the
-- matching rules (docs/matching.md), skipping paused services and, for a while, jobs that just
-- failed on this worker (claimJobs).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 worker id, 3 claim tokens separated by spaces (one per job wanted),
--       4 lease ms, 5 scan limit per service, 6 capabilities JSON ('' = the worker offers only its
--       services), 7.. services
-- Returns: {'OK', candidates evaluated, pending left, assigned_at, then per job: candidates evaluated
--          for it, job hash as a flat array} or {'NONE', candidates evaluated, pending total}
-- Emits: EV.ASSIGNED per job (in the job's submit trace)
--! include: claimJobs, claimReply
local caps = nil
if ARGV[6] ~= '' then caps = cjson.decode(ARGV[6]) end
local tokens, services = {}, {}
for tok in string.gmatch(ARGV[3], '%S+') do tokens[#tokens + 1] = tok end
for i = 7, #ARGV do services[#services + 1] = ARGV[i] end
local claims, evaluated, pendingTotal = claimJobs(ARGV[2], tokens, tonumber(ARGV[4]), tonumber(ARGV[5]), caps, services)
return claimReply({}, claims, evaluated, pendingTotal)
