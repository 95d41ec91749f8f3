-- job_events: a page of the job's own event history after a seq (resume by seq).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 after seq, 4 most entries
-- Returns: the entries (JSON arrays as emit writes them) with seq > after seq, in order; empty when
--          the job has no history
-- Emits: nothing
--! uses: K
local key = K.jobEvents(ARGV[2])
local first = redis.call('LINDEX', key, 0)
if not first then return {} end
-- seqs are consecutive, so the entry of seq s sits at s - (the first entry's seq); capping drops
-- from the front only
local firstSeq = tonumber(cjson.decode(first)[2])
local from = tonumber(ARGV[3]) + 1 - firstSeq
if from < 0 then from = 0 end
return redis.call('LRANGE', key, from, from + tonumber(ARGV[4]) - 1)
