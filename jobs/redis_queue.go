package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultMaxReceives is the receive count after which a message is dead-lettered when a
// queue configuration leaves it zero.
const DefaultMaxReceives = 6

// DefaultDedupWindow is how long a FIFO queue remembers a job id (as SQS FIFO does).
const DefaultDedupWindow = 5 * time.Minute

// RedisQueueConfig configures a RedisQueue. Zero values mean the documented defaults.
type RedisQueueConfig struct {
	// Name is the queue name; required.
	Name string
	// FIFO keeps send order within a message group (one message of a group in flight at a
	// time) and drops a second send of a job id within DedupWindow.
	FIFO bool
	// MaxReceives is the number of deliveries after which the message is dead-lettered on
	// the next receive; zero means DefaultMaxReceives.
	MaxReceives int
	// DedupWindow is the FIFO deduplication window; zero means DefaultDedupWindow.
	DedupWindow time.Duration
	// KeyPrefix prefixes the keys; empty means DefaultKeyPrefix.
	KeyPrefix string
	// ScanLimit bounds how many due messages one receive inspects to find one whose group
	// is free; zero means 1000.
	ScanLimit int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewToken makes lease tokens; nil means RandomID.
	NewToken func() string
}

// Validate reports configuration errors.
func (c RedisQueueConfig) Validate() error {
	var errs []error
	if !validID(c.Name) {
		errs = append(errs, fmt.Errorf("redis queue: invalid name %q", c.Name))
	}
	if c.MaxReceives < 0 || c.DedupWindow < 0 || c.ScanLimit < 0 {
		errs = append(errs, errors.New("redis queue: max receives, dedup window and scan limit must not be negative"))
	}
	if c.KeyPrefix != "" && !validKeyPrefix(c.KeyPrefix) {
		errs = append(errs, fmt.Errorf("redis queue: key prefix %q contains braces or spaces", c.KeyPrefix))
	}
	return errors.Join(errs...)
}

// RedisQueue is the Redis queue driver. Messages live in a sorted set scored by the time
// they become visible; a receive moves them to an in-flight sorted set scored by lease
// deadline, and every receive first returns expired leases to the ready set, so a message
// survives the death of its consumer. All keys of a queue share one hash tag.
type RedisQueue struct {
	rdb      redis.UniversalClient
	keys     Keys
	cfg      RedisQueueConfig
	now      func() time.Time
	newToken func() string
}

var _ Queue = (*RedisQueue)(nil)

// NewRedisQueue returns the queue cfg.Name on rdb.
func NewRedisQueue(rdb redis.UniversalClient, cfg RedisQueueConfig) (*RedisQueue, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxReceives == 0 {
		cfg.MaxReceives = DefaultMaxReceives
	}
	if cfg.DedupWindow == 0 {
		cfg.DedupWindow = DefaultDedupWindow
	}
	if cfg.ScanLimit == 0 {
		cfg.ScanLimit = 1000
	}
	q := &RedisQueue{rdb: rdb, keys: NewKeys(cfg.KeyPrefix), cfg: cfg, now: cfg.Now, newToken: cfg.NewToken}
	if q.now == nil {
		q.now = time.Now
	}
	if q.newToken == nil {
		q.newToken = RandomID
	}
	return q, nil
}

// Name returns the queue name.
func (q *RedisQueue) Name() string { return q.cfg.Name }

// FIFO reports whether the queue is FIFO.
func (q *RedisQueue) FIFO() bool { return q.cfg.FIFO }

func (q *RedisQueue) nowMS() int64 { return q.now().UnixMilli() }

// Message metadata lives in the msgs hash under the message id with suffixes:
// id (body), id:g (group), id:r (receive count), id:t (sent, unix ms).
//
// KEYS: 1 ready, 2 msgs, 3 seq, 4 notify, 5 dedup. ARGV: 1 now, 2 body, 3 group,
// 4 fifo (1/0), 5 dedup window ms.
var redisQueueSend = redis.NewScript(`
if ARGV[4] == '1' then
  local prev = redis.call('GET', KEYS[5])
  if prev then return prev end
end
local id = string.format('%016d', redis.call('INCR', KEYS[3]))
if ARGV[4] == '1' then redis.call('SET', KEYS[5], id, 'PX', ARGV[5]) end
redis.call('HSET', KEYS[2], id, ARGV[2], id .. ':g', ARGV[3], id .. ':r', 0, id .. ':t', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], id)
redis.call('LPUSH', KEYS[4], '1')
redis.call('LTRIM', KEYS[4], 0, 63)
return id
`)

// luaQueueHelpers removes a message and frees its group.
const luaQueueHelpers = `
local function forget(msgs, groups, id)
  local g = redis.call('HGET', msgs, id .. ':g')
  if g and g ~= '' and redis.call('HGET', groups, g) == id then redis.call('HDEL', groups, g) end
  redis.call('HDEL', msgs, id, id .. ':g', id .. ':r', id .. ':t')
end
local function bury(msgs, dead, id, now, reason)
  local entry = cjson.encode({id = id, body = redis.call('HGET', msgs, id) or '',
    group = redis.call('HGET', msgs, id .. ':g') or '', receives = redis.call('HGET', msgs, id .. ':r') or '0',
    sent = redis.call('HGET', msgs, id .. ':t') or '0', dead_at = now, reason = reason})
  redis.call('RPUSH', dead, entry)
end
`

// KEYS: 1 ready, 2 inflight, 3 msgs, 4 leases, 5 groups, 6 dead. ARGV: 1 now, 2 visibility
// ms, 3 max messages, 4 max receives, 5 fifo, 6 scan limit, 7 token. Returns a flat list
// of id, token, body, group, receives, sent per message.
var redisQueueReceive = redis.NewScript(luaQueueHelpers + `
local now = tonumber(ARGV[1])
-- Leases that expired go back to the ready set; a FIFO group stays held by its message.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('ZADD', KEYS[1], now, id)
end
local out = {}
local n = 0
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(due) do
  if n >= tonumber(ARGV[3]) then break end
  local g = redis.call('HGET', KEYS[3], id .. ':g') or ''
  local free = true
  if ARGV[5] == '1' then
    local holder = redis.call('HGET', KEYS[5], g)
    free = (not holder) or holder == id
  end
  if free then
    redis.call('ZREM', KEYS[1], id)
    local r = redis.call('HINCRBY', KEYS[3], id .. ':r', 1)
    if r > tonumber(ARGV[4]) then
      redis.call('HSET', KEYS[3], id .. ':r', r - 1)
      bury(KEYS[3], KEYS[6], id, now, 'maximum receives exceeded')
      forget(KEYS[3], KEYS[5], id)
    else
      if ARGV[5] == '1' then redis.call('HSET', KEYS[5], g, id) end
      local token = ARGV[7] .. ':' .. id
      redis.call('HSET', KEYS[4], id, token)
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), id)
      n = n + 1
      out[#out + 1] = id
      out[#out + 1] = token
      out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
      out[#out + 1] = g
      out[#out + 1] = tostring(r)
      out[#out + 1] = redis.call('HGET', KEYS[3], id .. ':t') or '0'
    end
  end
end
return out
`)

// KEYS: 1 inflight, 2 leases. ARGV: 1 id, 2 token, 3 new deadline ms. Returns 1 or 0 (lost).
var redisQueueExtend = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
`)

// KEYS: 1 ready, 2 inflight, 3 msgs, 4 leases, 5 groups, 6 dead, 7 notify. ARGV: 1 id,
// 2 token, 3 action (delete, release, dead), 4 now, 5 visible at (release), 6 reason.
// Returns 1 or 0 (lost).
var redisQueueSettle = redis.NewScript(luaQueueHelpers + `
local id = ARGV[1]
if redis.call('HGET', KEYS[4], id) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[4], id)
if ARGV[3] == 'release' then
  redis.call('ZADD', KEYS[1], ARGV[5], id)
  redis.call('LPUSH', KEYS[7], '1')
  redis.call('LTRIM', KEYS[7], 0, 63)
  return 1
end
if ARGV[3] == 'dead' then bury(KEYS[3], KEYS[6], id, ARGV[4], ARGV[6]) end
forget(KEYS[3], KEYS[5], id)
return 1
`)

// KEYS: 1 ready, 2 inflight. Returns the earliest time (unix ms) a message becomes
// visible or a lease expires, -1 if none.
var redisQueueNextDue = redis.NewScript(`
local nextdue = -1
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r > 0 then nextdue = tonumber(r[2]) end
local f = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #f > 0 and (nextdue < 0 or tonumber(f[2]) < nextdue) then nextdue = tonumber(f[2]) end
return nextdue
`)

// KEYS: 1 ready, 2 inflight, 3 msgs, 4 dead. ARGV: 1 now. Returns visible, delayed,
// inflight, dead, oldest sent (0 if none).
var redisQueueStats = redis.NewScript(`
local visible = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
local delayed = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
local oldest = 0
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, id in ipairs(due) do
  local t = tonumber(redis.call('HGET', KEYS[3], id .. ':t') or '0')
  if t > 0 and (oldest == 0 or t < oldest) then oldest = t end
end
return {visible, delayed, redis.call('ZCARD', KEYS[2]), redis.call('LLEN', KEYS[4]), oldest}
`)

func (q *RedisQueue) settleKeys() []string {
	n := q.cfg.Name
	return []string{q.keys.QueueReady(n), q.keys.QueueInflight(n), q.keys.QueueMessages(n),
		q.keys.QueueLeases(n), q.keys.QueueGroups(n), q.keys.QueueDead(n), q.keys.QueueNotify(n)}
}

// Send enqueues a message.
func (q *RedisQueue) Send(ctx context.Context, in SendInput) (string, error) {
	body, err := in.Body.encode()
	if err != nil {
		return "", fmt.Errorf("send to %s: %w", q.cfg.Name, err)
	}
	group := ""
	fifo := "0"
	if q.cfg.FIFO {
		fifo = "1"
		group = in.Group
		if group == "" {
			group = "default"
		}
	}
	n := q.cfg.Name
	id, err := redisQueueSend.Run(ctx, q.rdb,
		[]string{q.keys.QueueReady(n), q.keys.QueueMessages(n), q.keys.QueueSeq(n), q.keys.QueueNotify(n), q.keys.QueueDedup(n, in.Body.JobID)},
		q.nowMS(), body, group, fifo, q.cfg.DedupWindow.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("send to %s: %w", q.cfg.Name, err)
	}
	return id, nil
}

// Receive returns up to opts.Max messages, blocking on the queue's notify list between
// attempts until opts.Wait has passed.
func (q *RedisQueue) Receive(ctx context.Context, opts ReceiveOptions) ([]*Message, error) {
	opts = opts.withDefaults()
	deadline := time.Now().Add(opts.Wait)
	n := q.cfg.Name
	for {
		msgs, err := q.receiveOnce(ctx, opts)
		if err != nil || len(msgs) > 0 {
			return msgs, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 || ctx.Err() != nil {
			return nil, nil
		}
		// Sleep on the notify list at most until the next message or lease is due, and
		// at most a second so a cancelled ctx is noticed.
		block := min(remaining, time.Second)
		next, err := redisQueueNextDue.Run(ctx, q.rdb, []string{q.keys.QueueReady(n), q.keys.QueueInflight(n)}).Int64()
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, fmt.Errorf("receive from %s: %w", n, err)
		}
		if next >= 0 {
			block = min(block, time.Duration(next-q.nowMS())*time.Millisecond)
		}
		block = max(block, 10*time.Millisecond)
		// BLPOP takes fractional seconds since Redis 6; go-redis's BLPop rounds up to 1 s.
		err = q.rdb.Do(ctx, "BLPOP", q.keys.QueueNotify(n), strconv.FormatFloat(block.Seconds(), 'f', 3, 64)).Err()
		if err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, fmt.Errorf("receive from %s: %w", n, err)
		}
	}
}

func (q *RedisQueue) receiveOnce(ctx context.Context, opts ReceiveOptions) ([]*Message, error) {
	fifo := "0"
	if q.cfg.FIFO {
		fifo = "1"
	}
	keys := q.settleKeys()[:6]
	v, err := redisQueueReceive.Run(ctx, q.rdb, keys, q.nowMS(), opts.Visibility.Milliseconds(),
		opts.Max, q.cfg.MaxReceives, fifo, q.cfg.ScanLimit, q.newToken()).StringSlice()
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, fmt.Errorf("receive from %s: %w", q.cfg.Name, err)
	}
	var out []*Message
	for i := 0; i+5 < len(v); i += 6 {
		body, err := decodeBody(v[i+2])
		if err != nil {
			return nil, fmt.Errorf("receive from %s: message %s: %w", q.cfg.Name, v[i], err)
		}
		rc, _ := strconv.Atoi(v[i+4])
		sent, _ := strconv.ParseInt(v[i+5], 10, 64)
		out = append(out, &Message{ID: v[i], Receipt: v[i+1], Body: body, Group: v[i+3],
			ReceiveCount: rc, SentAt: time.UnixMilli(sent).UTC()})
	}
	return out, nil
}

// Extend resets the lease of m.
func (q *RedisQueue) Extend(ctx context.Context, m *Message, d time.Duration) error {
	n := q.cfg.Name
	ok, err := redisQueueExtend.Run(ctx, q.rdb, []string{q.keys.QueueInflight(n), q.keys.QueueLeases(n)},
		m.ID, m.Receipt, q.nowMS()+d.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("extend message %s on %s: %w", m.ID, n, err)
	}
	if ok == 0 {
		return fmt.Errorf("extend message %s on %s: %w", m.ID, n, ErrMessageLeaseLost)
	}
	return nil
}

func (q *RedisQueue) settle(ctx context.Context, m *Message, action string, visibleAt int64, reason string) (bool, error) {
	ok, err := redisQueueSettle.Run(ctx, q.rdb, q.settleKeys(), m.ID, m.Receipt, action,
		q.nowMS(), visibleAt, reason).Int()
	if err != nil {
		return false, fmt.Errorf("%s message %s on %s: %w", action, m.ID, q.cfg.Name, err)
	}
	return ok == 1, nil
}

// Delete acknowledges m; a stale receipt deletes nothing.
func (q *RedisQueue) Delete(ctx context.Context, m *Message) error {
	_, err := q.settle(ctx, m, "delete", 0, "")
	return err
}

// Release makes m visible again after delay.
func (q *RedisQueue) Release(ctx context.Context, m *Message, delay time.Duration) error {
	ok, err := q.settle(ctx, m, "release", q.nowMS()+delay.Milliseconds(), "")
	if err == nil && !ok {
		err = fmt.Errorf("release message %s on %s: %w", m.ID, q.cfg.Name, ErrMessageLeaseLost)
	}
	return err
}

// DeadLetter moves m to the dead-letter list.
func (q *RedisQueue) DeadLetter(ctx context.Context, m *Message, reason string) error {
	ok, err := q.settle(ctx, m, "dead", 0, reason)
	if err == nil && !ok {
		err = fmt.Errorf("dead-letter message %s on %s: %w", m.ID, q.cfg.Name, ErrMessageLeaseLost)
	}
	return err
}

// Stats returns the backlog of the queue. The oldest age looks at the first 1000 due
// messages only.
func (q *RedisQueue) Stats(ctx context.Context) (QueueStats, error) {
	n := q.cfg.Name
	now := q.nowMS()
	v, err := redisQueueStats.Run(ctx, q.rdb, []string{q.keys.QueueReady(n), q.keys.QueueInflight(n),
		q.keys.QueueMessages(n), q.keys.QueueDead(n)}, now).Int64Slice()
	if err != nil {
		return QueueStats{}, fmt.Errorf("stats of %s: %w", n, err)
	}
	if len(v) != 5 {
		return QueueStats{}, fmt.Errorf("stats of %s: unexpected reply %v", n, v)
	}
	st := QueueStats{Visible: v[0], Delayed: v[1], InFlight: v[2], Dead: v[3], HasOldestAge: true}
	if v[4] > 0 {
		st.OldestAge = time.Duration(now-v[4]) * time.Millisecond
	}
	return st, nil
}

// DeadLetterEntry is a message in the dead-letter list of a Redis queue.
type DeadLetterEntry struct {
	ID       string `json:"id"`
	Body     string `json:"body"`
	Group    string `json:"group"`
	Receives string `json:"receives"`
	Sent     string `json:"sent"`
	Reason   string `json:"reason"`
}

// DeadLetters returns up to limit entries of the dead-letter list, oldest first.
func (q *RedisQueue) DeadLetters(ctx context.Context, limit int) ([]DeadLetterEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	v, err := q.rdb.LRange(ctx, q.keys.QueueDead(q.cfg.Name), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("dead letters of %s: %w", q.cfg.Name, err)
	}
	out := make([]DeadLetterEntry, 0, len(v))
	for _, s := range v {
		var e DeadLetterEntry
		if err := json.Unmarshal([]byte(s), &e); err != nil {
			return nil, fmt.Errorf("dead letters of %s: %w", q.cfg.Name, err)
		}
		out = append(out, e)
	}
	return out, nil
}
