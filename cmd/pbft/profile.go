package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"runtime/pprof"
)

// startProfiling starts what --cpuprofile and --pprof ask for and returns the function that
// stops it (it writes the CPU profile out).
func (fl *nodeFlags) startProfiling(stderr io.Writer) (func(), error) {
	stops := []func(){}
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if fl.cpuProfile != "" {
		f, err := os.Create(fl.cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if fl.pprofAddr != "" {
		ln, err := net.Listen("tcp", fl.pprofAddr)
		if err != nil {
			stop()
			return nil, fmt.Errorf("--pprof: %w", err)
		}
		srv := &http.Server{Handler: pprofMux()}
		go func() {
			if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
				fmt.Fprintf(stderr, "pprof server: %v\n", err)
			}
		}()
		stops = append(stops, func() { srv.Close() })
	}
	return stop, nil
}

// pprofMux serves the net/http/pprof handlers on a private mux (not http.DefaultServeMux).
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", httppprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	return mux
}
