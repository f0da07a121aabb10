package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/scenario"
)

// setRun is one set being run: its cluster, its clients and what it produced.
type setRun struct {
	r        *run
	index    int
	set      *scenario.Set
	plans    []txnPlan
	cfg      *cluster.Config
	timing   Timing
	replicas map[int]Replica // the live replicas, by id
	started  time.Time       // the set began (before its replicas started)
	issued   time.Time       // the first transaction was issued

	clientsMu sync.Mutex
	clients   map[string]Submitter

	results [][]opResult // per transaction, per operation
	hist    setHistory   // every operation as its client saw it
	verdict historyVerdict
	factsMu sync.Mutex // guards facts while replicas answer in parallel
	facts   setFacts
}

// runSet runs set i on a fresh cluster, then lets the user inspect it.
func (r *run) runSet(ctx context.Context, i int) error {
	s := &setRun{r: r, index: i, set: &r.file.Sets[i], plans: r.plans[i], cfg: r.setConfig(i),
		replicas: map[int]Replica{}, clients: map[string]Submitter{}, started: time.Now()}
	s.timing = r.opts.Timing.orDefault(DefaultTiming(s.cfg))
	r.printSetHeader(s)
	defer s.stop()
	if err := s.start(ctx); err != nil {
		return fmt.Errorf("set %s (line %d): %w", s.set.Number, s.set.Line, err)
	}
	if err := s.issueAll(ctx); err != nil {
		return err
	}
	s.verdict = s.checkHistory()
	s.facts = s.collect(ctx)
	r.report.Sets = append(r.report.Sets, s.report())
	r.printResults(s)
	if r.opts.Debug {
		r.printDebug(ctx, s)
	}
	return s.interact(ctx)
}

// start writes the set's configuration and starts its live replicas in parallel.
func (s *setRun) start(ctx context.Context) error {
	path := filepath.Join(s.r.workDir, fmt.Sprintf("set%d.yaml", s.index+1))
	if err := s.cfg.Save(path); err != nil {
		return fmt.Errorf("writing the cluster configuration: %w", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, id := range s.set.Live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := s.r.launcher.Launch(ctx, ReplicaSpec{ID: id, Config: path, Set: s.index}, s.timing.Ready)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			s.replicas[id] = rep
		}()
	}
	wg.Wait()
	return firstErr
}

// stop closes the clients and stops every replica, in parallel.
func (s *setRun) stop() {
	s.clientsMu.Lock()
	for _, c := range s.clients {
		c.Close()
	}
	s.clients = map[string]Submitter{}
	s.clientsMu.Unlock()
	var wg sync.WaitGroup
	for _, rep := range s.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.Stop(s.timing.Stop)
		}()
	}
	wg.Wait()
	s.replicas = map[int]Replica{}
}

// client returns the set's client of a name, creating it on first use.
func (s *setRun) client(name string) (Submitter, error) {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	if c, ok := s.clients[name]; ok {
		return c, nil
	}
	c, err := s.r.clients.NewClient(s.cfg, name)
	if err != nil {
		return nil, err
	}
	s.clients[name] = c
	return c, nil
}

// live reports whether replica id runs in this set.
func (s *setRun) live(id int) bool {
	_, ok := s.replicas[id]
	return ok
}
