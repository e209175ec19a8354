package jobs

import "github.com/redis/go-redis/v9"

// The Lua scripts below are the only code that changes a job's status. Each one is a
// compare-and-set: it reads the status (and the lease token for worker writes), refuses
// any transition out of a terminal state, writes, refreshes the TTL and publishes an
// event. KEYS[1] is always the job hash; the event channel is passed in ARGV because a
// channel is not a key. ARGV[1] is now (unix ms), ARGV[2] the TTL (ms), ARGV[3] the channel.

// luaPrelude holds helpers shared by the scripts.
const luaPrelude = `
local function terminal(st)
  return st == 'succeeded' or st == 'failed' or st == 'cancelled'
end
local function status_event(st)
  return '{"type":"status","status":"' .. st .. '"}'
end
`

// scriptCreate creates a record. ARGV[4..] are field/value pairs. Returns 1, or 0 when a
// record with this id exists.
var scriptCreate = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local args = {}
for i = 4, #ARGV do args[#args + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(args))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// scriptStart starts a delivery of the job. ARGV[4] worker id, ARGV[5] lease token,
// ARGV[6] maximum attempts. Returns {outcome, status, attempt} where outcome is
//
//	started    the job is running under the new lease (attempt incremented);
//	terminal   the job already ended (status tells how): acknowledge without running;
//	cancelled  a cancel was pending (cancelling, its worker gone): now cancelled;
//	exhausted  all attempts are used: now failed with the last error;
//	missing    no record (expired or never created).
//
// A running job is taken over: its previous delivery lost its lease (the queue only
// redelivers a message whose lease expired), and the old worker's token stops matching.
var scriptStart = redis.NewScript(luaPrelude + `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'missing', '', 0} end
local attempt = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0') or 0
if terminal(st) then return {'terminal', st, attempt} end
local now = ARGV[1]
if st == 'running' then
  redis.call('HSET', KEYS[1], 'error', 'attempt ' .. attempt .. ' interrupted: worker lost its lease')
end
if st == 'cancelling' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished_at', now, 'updated_at', now, 'lease', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], status_event('cancelled'))
  return {'cancelled', 'cancelled', attempt}
end
if attempt >= tonumber(ARGV[6]) then
  local last = redis.call('HGET', KEYS[1], 'error') or ''
  if last == '' then last = 'unknown error' end
  redis.call('HSET', KEYS[1], 'status', 'failed', 'finished_at', now, 'updated_at', now, 'lease', '',
    'error', 'giving up after ' .. attempt .. ' attempts: ' .. last)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], status_event('failed'))
  return {'exhausted', 'failed', attempt}
end
attempt = attempt + 1
redis.call('HSET', KEYS[1], 'status', 'running', 'attempt', attempt, 'worker', ARGV[4],
  'lease', ARGV[5], 'heartbeat_at', now, 'updated_at', now)
if (redis.call('HGET', KEYS[1], 'started_at') or '') == '' then
  redis.call('HSET', KEYS[1], 'started_at', now)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], status_event('running'))
return {'started', 'running', attempt}
`)

// scriptHeartbeat records that the owner is alive and optionally its progress. ARGV[4]
// lease token, ARGV[5] progress JSON or ”. Returns {outcome, status}: ok (status running
// or cancelling: the worker must stop), lost (another delivery owns the job or it ended),
// missing.
var scriptHeartbeat = redis.NewScript(luaPrelude + `
local v = redis.call('HMGET', KEYS[1], 'status', 'lease')
local st, lease = v[1], v[2]
if not st then return {'missing', ''} end
if lease ~= ARGV[4] or (st ~= 'running' and st ~= 'cancelling') then return {'lost', st} end
redis.call('HSET', KEYS[1], 'heartbeat_at', ARGV[1], 'updated_at', ARGV[1])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'progress', ARGV[5])
  redis.call('PUBLISH', ARGV[3], '{"type":"progress","progress":' .. ARGV[5] .. '}')
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'ok', st}
`)

// scriptFinish ends the job. ARGV[4] lease token, ARGV[5] final status (succeeded, failed,
// cancelled), ARGV[6] error, ARGV[7] result JSON, ARGV[8] progress JSON or ”. Only the
// owner of a running or cancelling job may finish it. An accepted cancel always wins: a
// job that is cancelling ends cancelled whatever its worker reports, keeping the result and
// error the worker reports (a solve keeps its incumbent). Returns {outcome, status}: ok
// with the final status, lost, missing.
var scriptFinish = redis.NewScript(luaPrelude + `
local v = redis.call('HMGET', KEYS[1], 'status', 'lease')
local st, lease = v[1], v[2]
if not st then return {'missing', ''} end
if lease ~= ARGV[4] or (st ~= 'running' and st ~= 'cancelling') then return {'lost', st} end
local final = ARGV[5]
if st == 'cancelling' then final = 'cancelled' end
redis.call('HSET', KEYS[1], 'status', final, 'error', ARGV[6], 'result', ARGV[7],
  'finished_at', ARGV[1], 'updated_at', ARGV[1], 'heartbeat_at', ARGV[1], 'lease', '')
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'progress', ARGV[8]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], status_event(final))
return {'ok', final}
`)

// scriptRequeue puts a running job back to queued: for a retry after a retryable error
// (ARGV[5] the error) or when a draining worker releases it (ARGV[6] = 1 refunds the
// attempt, since the job did not fail). ARGV[4] lease token. Returns {outcome, status}:
// ok, cancelling (a cancel is pending: the worker must finish the job as cancelled
// instead), lost, missing.
var scriptRequeue = redis.NewScript(luaPrelude + `
local v = redis.call('HMGET', KEYS[1], 'status', 'lease', 'attempt')
local st, lease = v[1], v[2]
if not st then return {'missing', ''} end
if lease ~= ARGV[4] or (st ~= 'running' and st ~= 'cancelling') then return {'lost', st} end
if st == 'cancelling' then return {'cancelling', st} end
redis.call('HSET', KEYS[1], 'status', 'queued', 'lease', '', 'updated_at', ARGV[1])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
if ARGV[6] == '1' then
  local a = tonumber(v[3] or '0') or 0
  if a > 0 then redis.call('HSET', KEYS[1], 'attempt', a - 1) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], status_event('queued'))
return {'ok', 'queued'}
`)

// scriptCancel requests a cancel. A queued job is cancelled at once; a running job becomes
// cancelling and its worker is nudged on the worker's own channel (ARGV[4] is the channel
// prefix, ARGV[5] the job id), which the worker subscribed to before taking any job.
// Returns {outcome, status}: cancelled, cancelling, terminal (nothing changed), missing.
var scriptCancel = redis.NewScript(luaPrelude + `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'missing', ''} end
if terminal(st) then return {'terminal', st} end
local now = ARGV[1]
if st == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancel_requested_at', now,
    'finished_at', now, 'updated_at', now, 'lease', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], status_event('cancelled'))
  return {'cancelled', 'cancelled'}
end
if st == 'running' then
  redis.call('HSET', KEYS[1], 'status', 'cancelling', 'cancel_requested_at', now, 'updated_at', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local worker = redis.call('HGET', KEYS[1], 'worker') or ''
if worker ~= '' then
  redis.call('PUBLISH', ARGV[4] .. worker, '{"type":"cancel","job_id":"' .. ARGV[5] .. '"}')
end
redis.call('PUBLISH', ARGV[3], status_event('cancelling'))
return {'cancelling', 'cancelling'}
`)
