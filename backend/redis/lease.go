package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/shared/backoff"
)

// renewScript extends the lease KEYS[1] by ARGV[2] ms if ARGV[1] holds it.
var renewScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseScript deletes the lease KEYS[1] if ARGV[1] holds it.
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// errLeaseLost ends a holder whose lease another instance now holds.
var errLeaseLost = errors.New("lease held by another instance")

// RunExclusive runs run while this instance holds the cluster-wide lease
// name, so that one instance at a time runs it. The lease is taken with
// SET NX PX ttl and renewed every ttl/3; when a renewal finds it taken, or
// Redis stays unreachable until it would nearly have expired, run's
// context ends and RunExclusive competes again. Another instance takes
// over within about ttl plus ttl/3 after the holder dies, at once after
// the holder releases it. RunExclusive returns when ctx ends, the broker
// closes or run returns by itself, after run has returned and the lease is
// released.
func (b *Broker) RunExclusive(ctx context.Context, name string, ttl time.Duration, run func(context.Context)) {
	if !b.addLease() {
		return
	}
	defer b.leases.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(b.life, cancel)()
	key, token := b.keys.lease(name), newToken()
	waiting := false
	for ctx.Err() == nil {
		ok, err := b.rdb.SetNX(ctx, key, token, ttl).Result()
		switch {
		case ok:
			if !b.hold(ctx, name, key, token, ttl, run) {
				return
			}
			waiting = false
		case err != nil && ctx.Err() == nil:
			b.log.Debug("lease: cannot take", "lease", name, "err", err)
		case err == nil && !waiting:
			b.log.Info("lease: held by another instance, standing by", "lease", name)
			waiting = true
		}
		backoff.Sleep(ctx, ttl/3)
	}
}

// addLease counts a running RunExclusive; Close waits for them. It is
// false once the broker is closed.
func (b *Broker) addLease() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.leases.Add(1)
	return true
}

// hold runs run and renews the lease until ctx ends, run returns or the
// lease is lost, then waits for run to return. It releases a lease it
// still holds and reports whether it lost it.
func (b *Broker) hold(ctx context.Context, name, key, token string, ttl time.Duration, run func(context.Context)) (lost bool) {
	b.log.Info("lease: acquired", "lease", name, "ttl", ttl)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); run(runCtx) }()
	err := b.renew(runCtx, done, key, token, ttl)
	stop()
	<-done
	if err != nil {
		b.log.Warn("lease: lost", "lease", name, "err", err)
		return true
	}
	b.release(name, key, token, ttl)
	return false
}

// release gives the lease up so that another instance takes it at once.
func (b *Broker) release(name, key, token string, ttl time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), ttl)
	defer cancel()
	if err := releaseScript.Run(ctx, b.rdb, []string{key}, token).Err(); err != nil {
		b.log.Warn("lease: cannot release, it expires by itself", "lease", name, "err", err)
		return
	}
	b.log.Info("lease: released", "lease", name)
}

// renew extends the lease every ttl/3 until ctx ends or done is closed
// (nil) or the lease is lost (an error). Unable to reach Redis, it gives
// the lease up about ttl/3 before it would expire, so that two holders
// never run at once.
func (b *Broker) renew(ctx context.Context, done <-chan struct{}, key, token string, ttl time.Duration) error {
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	expires := time.Now().Add(ttl)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			return nil
		case <-t.C:
		}
		attempt := time.Now()
		n, err := renewScript.Run(ctx, b.rdb, []string{key}, token, ttl.Milliseconds()).Int()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil && n == 1:
			expires = attempt.Add(ttl)
		case err == nil:
			return errLeaseLost
		case time.Now().Add(ttl / 2).After(expires):
			return unavailable("renew "+key, err)
		}
	}
}

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
