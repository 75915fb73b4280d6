//go:build !linux

package http

// newCloseNotifier returns the portable reading watcher.
func newCloseNotifier() closeNotifier { return readWatcher{} }
