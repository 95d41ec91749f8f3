-- An operator deletes a final job: its hash, its event stream and every index entry. The job's own
-- stream goes with it, so the audit event (who deleted it) is written to the global stream only.
-- ARGV: 1 traceparent, 2 job id, 3 who asked (audit)
-- Returns {'OK'}, {'NOTFOUND'} or {'CONFLICT', status}.
local id, by = ARGV[2], ARGV[3]
local jk = K.job(id)
local j = redis.call('HMGET', jk, 'status', 'service_required', 'customer_id', 'idempotency_key', 'workflow_id',
  'seq')
local st, svc = j[1], j[2]
if not st then return {'NOTFOUND'} end
if not isFinal(st) then return {'CONFLICT', st} end
redis.call('ZREM', K.idx(st), id)
redis.call('ZREM', K.idxService(st, svc), id)
redis.call('ZREM', K.created(), id)
redis.call('ZREM', K.createdService(svc), id)
if j[3] then redis.call('ZREM', K.createdCustomer(j[3]), id) end
redis.call('ZREM', K.expiring(), expiringMember(id, j[3], svc))
if j[4] and redis.call('GET', K.idem(j[4])) == id then redis.call('DEL', K.idem(j[4])) end
if j[5] then redis.call('HDEL', K.workflow(j[5]), id) end
redis.call('DEL', jk, K.jobEvents(id))
local f = {'type', 'job_deleted', 'job_id', id, 'seq', tostring(tonumber(j[6]) + 1), 'status', st,
  'ts', NOWS, 'service', svc, 'by', by}
if j[3] then
  f[#f + 1] = 'customer_id'
  f[#f + 1] = j[3]
end
if TP ~= '' then
  f[#f + 1] = 'traceparent'
  f[#f + 1] = TP
end
redis.call('XADD', K.events(), 'MAXLEN', '~', C.events_max, '*', unpack(f))
return {'OK'}
