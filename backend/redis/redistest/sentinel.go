package redistest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sentinel is a Redis Sentinel, run by the same binary, that watches one
// master under a name and fails over to one of its replicas when the
// master is down for a second.
type Sentinel struct {
	*Server
	name string
}

// StartSentinel starts a Sentinel watching master under name; it is killed
// when tb ends. It knows the master's replicas once they are connected
// (see WaitReplicas).
func StartSentinel(tb testing.TB, name string, master *Server) *Sentinel {
	tb.Helper()
	s := &Sentinel{Server: &Server{bin: Binary(tb), dir: tb.TempDir()}, name: name}
	s.args = func() []string {
		conf := filepath.Join(s.dir, "sentinel.conf") // Sentinel rewrites it
		text := strings.Join([]string{
			"port " + strconv.Itoa(s.port),
			"bind 127.0.0.1",
			"dir " + s.dir,
			"logfile " + filepath.Join(s.dir, "redis.log"),
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1", name, master.port),
			"sentinel down-after-milliseconds " + name + " 1000",
			"sentinel failover-timeout " + name + " 10000",
		}, "\n") + "\n"
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			tb.Errorf("write %s: %v", conf, err)
		}
		return []string{conf, "--sentinel"}
	}
	s.run(tb)
	return s
}

// URL returns the redis-sentinel:// URL of database db of the master the
// Sentinel names.
func (s *Sentinel) URL(db int) string {
	return fmt.Sprintf("redis-sentinel://%s/%d?master_name=%s", s.Addr(), db, s.name)
}

// MasterAddr returns the host:port of the master the Sentinel names now.
func (s *Sentinel) MasterAddr() (string, error) {
	v, err := s.Do(time.Second, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.name)
	addr, ok := v.([]any)
	if err != nil || !ok || len(addr) != 2 {
		return "", fmt.Errorf("sentinel: master of %s: %v %v", s.name, v, err)
	}
	return fmt.Sprintf("%v:%v", addr[0], addr[1]), nil
}

// WaitReplicas waits until the Sentinel knows n replicas of the master.
func (s *Sentinel) WaitReplicas(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if v, err := s.Do(time.Second, "SENTINEL", "REPLICAS", s.name); err == nil {
			if rs, ok := v.([]any); ok && len(rs) >= n {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	tb.Fatalf("sentinel: %d replicas of %s not known within 30s", n, s.name)
}

// WaitSynced waits until replica has loaded its master's data and
// follows it.
func WaitSynced(tb testing.TB, replica *Server) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		v, err := replica.Do(time.Second, "INFO", "replication")
		if info, _ := v.(string); err == nil && strings.Contains(info, "master_link_status:up") {
			return
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
	tb.Fatalf("replica %s not in sync within 30s", replica.Addr())
}
