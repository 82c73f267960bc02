package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// foreground reports whether in is a terminal this process may read and
// write: a job in the background may not (SIGTTOU, SIGTTIN), and its
// question would reach a terminal another program holds.
func foreground(in *os.File) bool {
	pg, err := unix.IoctlGetInt(int(in.Fd()), unix.TIOCGPGRP)
	return err == nil && pg == unix.Getpgrp()
}
