//go:build !unix

package localcluster

import (
	"os"
	"os/exec"
	"syscall"
)

func detach(*exec.Cmd) {}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p != nil
}

func isReplica(int, string) bool { return true }

func signal(pid int, _ syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

var (
	terminate  = syscall.Signal(15)
	killSignal = syscall.Signal(9)
)
