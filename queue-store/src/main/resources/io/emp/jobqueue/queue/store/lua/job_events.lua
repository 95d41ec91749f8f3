-- job_events: a page of the job's own event history after a seq (resume by seq).
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 after seq, 4 most entries
-- Returns: the entries (JSON arrays as emit writes them) with seq > after seq, in order; empty when
--          the job has no history
-- Emits: nothing
--! include: hmget
--! uses: K, F, EV, ST, C
local id, after, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local key = K.jobEvents(id)
local out = {}
local first = redis.call('LINDEX', key, 0)
local firstSeq = first and tonumber(cjson.decode(first)[2]) or nil
-- seq 1, the submit, is never stored (emit): it is rebuilt from the hash exactly as submit.lua
-- emitted it, unless capping already dropped the entries after it
if after < 1 and limit > 0 and (firstSeq == nil or firstSeq == 2) then
  local h = hmget(K.job(id), F.CREATED_AT, F.TRACEPARENT, F.SERVICE, F.SCORE)
  if h[F.CREATED_AT] then
    local e = {EV.SUBMITTED, '1', ST.PENDING, h[F.CREATED_AT]}
    if h[F.TRACEPARENT] and h[F.TRACEPARENT] ~= '' then
      e[#e + 1] = 'traceparent'
      e[#e + 1] = h[F.TRACEPARENT]
    end
    -- the score never changes after submit: its band is the effective priority the event carried
    e[#e + 1] = 'service'
    e[#e + 1] = h[F.SERVICE]
    e[#e + 1] = 'priority'
    e[#e + 1] = string.format('%d', C.max_priority - math.floor(tonumber(h[F.SCORE]) / C.band))
    out[1] = cjson.encode(e)
    limit = limit - 1
  end
end
if not firstSeq or limit <= 0 then return out end
-- seqs are consecutive, so the entry of seq s sits at s - (the first entry's seq); capping drops
-- from the front only
local from = after + 1 - firstSeq
if from < 0 then from = 0 end
for _, e in ipairs(redis.call('LRANGE', key, from, from + limit - 1)) do out[#out + 1] = e end
return out
