package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// RouteClientLog sends go-redis's own log lines, such as one per failed
// dial, to log at debug level instead of unstructured to stderr: the
// reader and RunExclusive already report Redis trouble once, as warnings.
// go-redis has one logger per process, not one per client, so this is a
// choice for the process, made by its main; a broker's Options.Logger is
// its own. Each call replaces the previous logger.
func RouteClientLog(log *slog.Logger) {
	goredis.SetLogger(clientLog{log})
}

// clientLog adapts a slog.Logger to go-redis's logger.
type clientLog struct{ log *slog.Logger }

// Printf logs one go-redis line at debug level.
func (l clientLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client: "+strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
}
