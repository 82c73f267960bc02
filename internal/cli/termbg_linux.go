package cli

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// queryBackground asks the terminal for its background colour (OSC 11)
// followed by its cursor position (DSR), which every terminal answers, so
// the second answer ends the wait as soon as the terminal is known not to
// support the first. It waits at most wait.
func queryBackground(in, out *os.File, wait time.Duration) (dark bool, err error) {
	fd := int(in.Fd())
	// A job in the background may not touch the terminal (SIGTTOU).
	if pg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pg != unix.Getpgrp() {
		return false, errNoAnswer
	}
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return false, err
	}
	raw := *old
	raw.Lflag &^= unix.ECHO | unix.ICANON
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 0, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return false, err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	if _, err := out.WriteString("\x1b]11;?\x1b\\\x1b[6n"); err != nil {
		return false, err
	}
	deadline := time.Now().Add(wait)
	var got []byte
	buf := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false, errNoAnswer
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return false, errNoAnswer
		}
		k, err := unix.Read(fd, buf)
		if err != nil || k <= 0 {
			return false, errNoAnswer
		}
		got = append(got, buf[:k]...)
		if len(got) > 1024 {
			return false, errNoAnswer // not a terminal's answer
		}
		if d, ok := parseBackground(got); ok {
			return d, nil
		}
		if dsrAnswered(got) {
			return false, errNoAnswer // answered the position only: no OSC 11
		}
	}
}
