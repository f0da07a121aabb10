//go:build unix

package runner

import (
	"os/exec"
	"syscall"
)

// detach puts the child in its own process group, so that a Ctrl-C at the terminal reaches
// only the parent, which then stops its children in order.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// kill ends the child's whole process group.
func kill(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		cmd.Process.Kill()
	}
}
