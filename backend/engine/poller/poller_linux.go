package poller

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// hangupEvents are the events a registration always waits for: the peer
// shut its side, the connection broke, or the socket has an error.
const hangupEvents = unix.EPOLLRDHUP | unix.EPOLLHUP | unix.EPOLLERR

// maxBackoff bounds the pause between two attempts to rebuild a failed
// epoll instance.
const maxBackoff = time.Second

// Poller is one epoll instance and the goroutine that waits on it.
type Poller struct {
	log  *slog.Logger
	wait func(epfd int, events []unix.EpollEvent, msec int) (int, error)
	done chan struct{} // closed when the loop has returned

	mu     sync.Mutex
	epfd   int
	wakefd int // an eventfd that Close writes to
	gen    uint32
	slots  []slot // by descriptor
	closed bool
}

// slot is the registration of one descriptor; h is nil when there is none.
type slot struct {
	gen uint32
	out bool // waiting for writability
	h   Handler
}

// New starts a poller; errors it meets later are logged to log.
func New(log *slog.Logger) (*Poller, error) {
	return start(log, unix.EpollWait)
}

// start is New with the epoll_wait call given, so that tests can make it
// fail.
func start(log *slog.Logger, wait func(int, []unix.EpollEvent, int) (int, error)) (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	p := &Poller{log: log, wait: wait, done: make(chan struct{}), epfd: epfd, wakefd: wakefd}
	if err := p.ctl(epfd, unix.EPOLL_CTL_ADD, wakefd, unix.EPOLLIN, 0); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	go p.loop()
	return p, nil
}

// Add registers fd, whose hang-up h is told of. fd must stay open until
// Remove.
func (p *Poller) Add(fd int, h Handler) (Token, error) {
	if fd < 0 || fd > 1<<30 {
		return Token{}, fmt.Errorf("poller: bad descriptor %d", fd)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return Token{}, errors.New("poller: closed")
	}
	p.gen++
	if p.gen == 0 {
		p.gen++ // 0 is never a live generation
	}
	if fd >= len(p.slots) {
		p.slots = append(p.slots, make([]slot, fd+1-len(p.slots))...)
	}
	tok := Token{fd: int32(fd), gen: p.gen}
	p.slots[fd] = slot{gen: tok.gen, h: h}
	epfd := p.epfd
	p.mu.Unlock()
	// Outside the lock, so that a burst of new streams does not queue on
	// it: the slot is in place before the first event can come.
	if err := p.ctl(epfd, unix.EPOLL_CTL_ADD, fd, hangupEvents, tok.gen); err != nil {
		p.mu.Lock()
		if s := p.live(tok); s != nil {
			*s = slot{}
		}
		p.mu.Unlock()
		return Token{}, err
	}
	return tok, nil
}

// WantWritable asks for one Writable call when the socket of tok can take
// bytes. It does nothing if tok's registration is gone (its Hangup has
// been or is being called).
func (p *Poller) WantWritable(tok Token) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.live(tok)
	if s == nil || s.out {
		return nil
	}
	if err := p.ctl(p.epfd, unix.EPOLL_CTL_MOD, int(tok.fd), hangupEvents|unix.EPOLLOUT, tok.gen); err != nil {
		return err
	}
	s.out = true
	return nil
}

// Remove ends tok's registration; call it before closing the descriptor.
// No method of its Handler is called once Remove has returned.
func (p *Poller) Remove(tok Token) {
	p.mu.Lock()
	s := p.live(tok)
	if s == nil {
		p.mu.Unlock()
		return
	}
	*s = slot{}
	epfd := p.epfd
	p.mu.Unlock()
	// Outside the lock: the descriptor is still open, so no new socket
	// can have its number yet, and an event that comes meanwhile finds no
	// registration and is dropped.
	p.ctl(epfd, unix.EPOLL_CTL_DEL, int(tok.fd), 0, 0)
}

// Close stops the poller's goroutine and releases the epoll instance.
// Registrations end without their handlers being called.
func (p *Poller) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.done
		return
	}
	p.closed = true
	var one = [8]byte{1}
	unix.Write(p.wakefd, one[:])
	p.mu.Unlock()
	<-p.done
}

// live returns tok's slot if tok is its current registration.
func (p *Poller) live(tok Token) *slot {
	if int(tok.fd) >= len(p.slots) || tok.fd < 0 {
		return nil
	}
	if s := &p.slots[tok.fd]; s.h != nil && s.gen == tok.gen {
		return s
	}
	return nil
}

// ctl calls epoll_ctl with the registration's generation in the event's
// data, beside the descriptor.
func (p *Poller) ctl(epfd, op, fd int, events uint32, gen uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd), Pad: int32(gen)}
	if err := unix.EpollCtl(epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl(%d, fd %d): %w", op, fd, err)
	}
	return nil
}

// loop waits for events and hands them to their handlers until Close. An
// error of epoll_wait does not end it: it is logged and the epoll instance
// rebuilt, so hang-ups keep being noticed.
func (p *Poller) loop() {
	defer close(p.done)
	events := make([]unix.EpollEvent, 256)
	backoff := time.Millisecond
	for {
		p.mu.Lock()
		epfd := p.epfd
		p.mu.Unlock()
		n, err := p.wait(epfd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			p.log.Error("poller: epoll_wait failed; rebuilding the epoll instance", "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			backoff = min(2*backoff, maxBackoff)
			p.rebuild(epfd, err)
			continue
		}
		backoff = time.Millisecond
		for _, ev := range events[:n] {
			if int(ev.Fd) == p.wakefd && p.stop() {
				return
			}
			p.dispatch(ev)
		}
	}
}

// stop releases the poller's descriptors if Close was called.
func (p *Poller) stop() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		return false
	}
	unix.Close(p.epfd)
	unix.Close(p.wakefd)
	return true
}

// dispatch tells an event's handler, unless the event is stale: its
// registration was removed, perhaps replaced by a new socket that got the
// same descriptor number.
func (p *Poller) dispatch(ev unix.EpollEvent) {
	tok := Token{fd: ev.Fd, gen: uint32(ev.Pad)}
	p.mu.Lock()
	s := p.live(tok)
	if s == nil {
		p.mu.Unlock()
		return
	}
	h := s.h
	if ev.Events&hangupEvents != 0 {
		p.ctl(p.epfd, unix.EPOLL_CTL_DEL, int(tok.fd), 0, 0)
		*s = slot{}
		p.mu.Unlock()
		h.Hangup()
		return
	}
	if ev.Events&unix.EPOLLOUT == 0 || !s.out {
		p.mu.Unlock()
		return
	}
	s.out = false
	p.ctl(p.epfd, unix.EPOLL_CTL_MOD, int(tok.fd), hangupEvents, tok.gen)
	p.mu.Unlock()
	h.Writable()
}

// rebuild replaces a failed epoll instance with a new one holding every
// registration. A descriptor that cannot be registered again is told it
// hung up, so its owner ends it instead of waiting forever. If no new
// instance can be made, the old one is kept and the loop tries again.
func (p *Poller) rebuild(old int, cause error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		p.log.Error("poller: cannot create a new epoll instance", "err", err)
		return
	}
	p.mu.Lock()
	var lost []Handler
	p.ctl(epfd, unix.EPOLL_CTL_ADD, p.wakefd, unix.EPOLLIN, 0)
	for fd := range p.slots {
		s := &p.slots[fd]
		if s.h == nil {
			continue
		}
		events := uint32(hangupEvents)
		if s.out {
			events |= unix.EPOLLOUT
		}
		if err := p.ctl(epfd, unix.EPOLL_CTL_ADD, fd, events, s.gen); err != nil {
			lost = append(lost, s.h)
			*s = slot{}
		}
	}
	p.epfd = epfd
	p.mu.Unlock()
	if !errors.Is(cause, unix.EBADF) {
		unix.Close(old) // a descriptor already gone may have a new owner
	}
	p.log.Warn("poller: epoll instance rebuilt", "registrations_lost", len(lost))
	for _, h := range lost {
		h.Hangup()
	}
}

// Supported reports whether this system has the poller: it does.
const Supported = true
