-- delete: an operator deletes a final job: its hash, its event stream and every index entry. The job's
-- own stream goes with it, so the audit event (who deleted it) is written to the global stream only.
-- KEYS: 1 the global events stream, only to route the call on Redis Cluster (every key is built
--       from K and shares its hash tag)
-- ARGV: 1 traceparent, 2 job id, 3 who asked (audit)
-- Returns: {'OK'}, {'NOTFOUND'} or {'CONFLICT', status}
-- Emits: EV.DELETED (global stream only)
--! include: hmget, isFinal, expiringMember
--! uses: K, F, EV, C, NOWS, TP
local id, by = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = hmget(jk, F.STATUS, F.SERVICE, F.CUSTOMER, F.IDEMPOTENCY_KEY, F.WORKFLOW, F.SEQ)
local st, svc, customer = j[F.STATUS], j[F.SERVICE], j[F.CUSTOMER]
if not st then return {'NOTFOUND'} end
if not isFinal(st) then return {'CONFLICT', st} end
redis.call('ZREM', K.idx(st), id)
redis.call('ZREM', K.idxService(st, svc), id)
redis.call('ZREM', K.created(), id)
redis.call('ZREM', K.createdService(svc), id)
if customer then redis.call('ZREM', K.createdCustomer(customer), id) end
redis.call('ZREM', K.expiring(), expiringMember(id, customer, svc))
local idem = j[F.IDEMPOTENCY_KEY]
if idem and redis.call('GET', K.idem(idem)) == id then redis.call('DEL', K.idem(idem)) end
if j[F.WORKFLOW] then redis.call('HDEL', K.workflow(j[F.WORKFLOW]), id) end
redis.call('DEL', jk, K.jobEvents(id))
local f = {'type', EV.DELETED, 'job_id', id, 'seq', tostring(tonumber(j[F.SEQ]) + 1), 'status', st,
  'ts', NOWS, 'service', svc, 'by', by}
if customer then
  f[#f + 1] = 'customer_id'
  f[#f + 1] = customer
end
if TP ~= '' then
  f[#f + 1] = 'traceparent'
  f[#f + 1] = TP
end
redis.call('XADD', K.events(), 'MAXLEN', '~', C.events_max, '*', unpack(f))
return {'OK'}
