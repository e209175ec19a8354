package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults applied by RedisConfig for fields left at their zero value.
const (
	DefaultRedisDialTimeout  = 5 * time.Second
	DefaultRedisReadTimeout  = 3 * time.Second
	DefaultRedisWriteTimeout = 3 * time.Second
)

// defaultRedisPort is added to a cluster address given without a port.
const defaultRedisPort = "6379"

// RedisConfig configures the Redis client. Every field but URL has a
// default used when the field is left at its zero value.
type RedisConfig struct {
	// URL selects the server and the client kind. Required. Forms:
	//
	//	redis://[user:password@]host:port[/db]       one server (or a primary)
	//	rediss://[user:password@]host:port[/db]      the same over TLS
	//	redis://[user:password@]host1:port,host2:port  Redis Cluster, seed addresses
	//	redis-cluster://[user:password@]host:port    Redis Cluster, even with one address
	//
	// rediss:// and rediss-cluster:// use TLS. Several comma-separated
	// addresses always mean a cluster client; redis-cluster:// makes one
	// from a single address too, as an ElastiCache cluster-mode
	// configuration endpoint needs. A cluster takes no database number, a
	// missing port means 6379, and with TLS the certificate is checked
	// against the first host name. Query parameters are not accepted:
	// timeouts and pool size come from this struct.
	URL string

	// DialTimeout bounds opening one connection, and the start-up ping in
	// OpenRedis. Default 5s.
	DialTimeout time.Duration

	// ReadTimeout bounds waiting for a reply. Default 3s.
	ReadTimeout time.Duration

	// WriteTimeout bounds sending a command. Default 3s.
	WriteTimeout time.Duration

	// PoolSize is the most connections kept per server. Zero keeps
	// go-redis's default of 10 per available CPU.
	PoolSize int
}

func (c RedisConfig) withDefaults() RedisConfig {
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultRedisDialTimeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultRedisReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultRedisWriteTimeout
	}
	return c
}

// Validate reports every problem in c at once (joined with errors.Join), or
// nil.
func (c RedisConfig) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("redis url is required"))
	} else if _, err := c.options(); err != nil {
		errs = append(errs, err)
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"dial timeout", c.DialTimeout},
		{"read timeout", c.ReadTimeout},
		{"write timeout", c.WriteTimeout},
	} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("redis %s %s: must not be negative", f.name, f.v))
		}
	}
	if c.PoolSize < 0 {
		errs = append(errs, fmt.Errorf("redis pool size %d: must not be negative", c.PoolSize))
	}
	return errors.Join(errs...)
}

// options turns c into go-redis options. Its errors never quote the URL,
// which may hold a password.
func (c RedisConfig) options() (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(c.URL, "://")
	if !ok {
		return nil, errors.New("redis url: want redis://, rediss://, redis-cluster:// or rediss-cluster://")
	}
	if strings.Contains(rest, "?") {
		return nil, errors.New("redis url: query parameters are not supported; set timeouts and pool size in the configuration")
	}
	hostsPart, pathPart, _ := strings.Cut(rest, "/")
	userinfo := ""
	if i := strings.LastIndex(hostsPart, "@"); i >= 0 {
		userinfo, hostsPart = hostsPart[:i+1], hostsPart[i+1:]
	}
	var cluster bool
	switch scheme {
	case "redis", "rediss":
		// Several seed addresses can only mean a cluster.
		cluster = strings.Contains(hostsPart, ",")
	case "redis-cluster", "rediss-cluster":
		cluster = true
		scheme = strings.TrimSuffix(scheme, "-cluster")
	default:
		return nil, fmt.Errorf("redis url: unknown scheme %q: want redis, rediss, redis-cluster or rediss-cluster", scheme)
	}
	if !cluster {
		o, err := redis.ParseURL(c.URL)
		if err != nil {
			return nil, fmt.Errorf("redis url: %w", err)
		}
		return &redis.UniversalOptions{
			Addrs:     []string{o.Addr},
			Username:  o.Username,
			Password:  o.Password,
			DB:        o.DB,
			TLSConfig: o.TLSConfig,
		}, nil
	}

	// Cluster: [userinfo@]host[:port][,host[:port]...][/]
	if pathPart != "" && pathPart != "0" {
		return nil, errors.New("redis url: a cluster has no database number (drop the /N)")
	}
	var addrs []string
	for _, h := range strings.Split(hostsPart, ",") {
		if h == "" {
			return nil, errors.New("redis url: empty cluster address")
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(h, defaultRedisPort)
		}
		addrs = append(addrs, h)
	}
	// Credentials and TLS settings are parsed as for the first address.
	o, err := redis.ParseURL(scheme + "://" + userinfo + addrs[0])
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	return &redis.UniversalOptions{
		Addrs:         addrs,
		Username:      o.Username,
		Password:      o.Password,
		TLSConfig:     o.TLSConfig,
		IsClusterMode: true,
	}, nil
}

// OpenRedis validates cfg, builds a go-redis UniversalClient (a single-node
// or a cluster client, as the URL says) and pings it, giving up after
// DialTimeout with an error that names the address. The caller closes the
// client.
func OpenRedis(ctx context.Context, cfg RedisConfig) (redis.UniversalClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("redis config: %w", err)
	}
	cfg = cfg.withDefaults()
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	opts.DialTimeout = cfg.DialTimeout
	opts.ReadTimeout = cfg.ReadTimeout
	opts.WriteTimeout = cfg.WriteTimeout
	opts.PoolSize = cfg.PoolSize
	client := redis.NewUniversalClient(opts)

	pingCtx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		_ = client.Close() // nothing was used; its close error adds nothing
		return nil, fmt.Errorf("redis %s unreachable: %w", strings.Join(opts.Addrs, ","), err)
	}
	return client, nil
}
