//go:build !unix

package runner

import "os/exec"

// detach does nothing where process groups do not exist.
func detach(*exec.Cmd) {}

// kill ends the child.
func kill(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}
