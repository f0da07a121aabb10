//go:build unix

package localcluster

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// detach starts the replica in a session of its own, so that it outlives the terminal and a
// Ctrl-C there does not reach it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// alive reports whether pid is a running process. A zombie (exited, not yet reaped by its
// parent) is not.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill
	}
	// The state follows the command name in parentheses: "123 (pbft) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

// isReplica reports whether pid runs `pbft node --id id` as far as /proc tells (true where
// /proc is missing): a pid file may outlive its process and the pid be reused.
func isReplica(pid int, id string) bool {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/cmdline")
	if err != nil {
		return !alive(pid) || errors.Is(err, os.ErrNotExist) && !procMounted()
	}
	args := strings.Split(string(b), "\x00")
	return contains(args, "node") && contains(args, id)
}

func procMounted() bool {
	_, err := os.Stat("/proc/self")
	return err == nil
}

// signal sends sig to the replica's process.
func signal(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// terminate and killSignal are the signals down sends first and after the grace period.
var (
	terminate  = syscall.SIGTERM
	killSignal = syscall.SIGKILL
)
