package runner

// Kill ends the child at once with SIGKILL (its whole process group on Unix), without closing
// its stdin first, so that it gets no chance to shut down in order: a crash, as the chaos
// benchmark needs it. It returns once the child is gone; a later Stop does nothing.
func (p *process) Kill() error {
	p.stopped.Do(func() {
		kill(p.cmd)
		<-p.exited
		p.conn.Close()
	})
	return nil
}
