package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// The admin endpoint (docs/operations.md): Prometheus metrics, the replica's status as JSON,
// pprof, and the fault API (only with Options.AllowFaults). It has no authentication, so it
// listens on loopback unless the operator binds it elsewhere.

// maxFaultBody bounds the body of a fault request.
const maxFaultBody = 64 << 10

// adminServer is the running HTTP server.
type adminServer struct {
	srv *http.Server
}

// startAdmin serves the admin endpoint on ln until stop.
func (nd *node) startAdmin(ln net.Listener, calls chan<- controlCall) *adminServer {
	mux := http.NewServeMux()
	mux.Handle("GET "+controlapi.PathMetrics, promhttp.HandlerFor(nd.prom.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET "+controlapi.PathStatus, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nd.status(r.Context(), calls))
	})
	mux.HandleFunc("GET "+controlapi.PathFault, nd.getFaults)
	mux.HandleFunc("POST "+controlapi.PathFault, nd.postFault)
	mux.HandleFunc("GET /debug/pprof/", httppprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", httppprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", httppprof.Trace)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "pbft replica %s: %s %s %s %s\n", nd.id, controlapi.PathStatus, controlapi.PathMetrics,
			controlapi.PathPprof, controlapi.PathFault)
	})
	var handler http.Handler = mux
	if isLoopback(ln.Addr()) {
		handler = loopbackHostsOnly(mux)
	}
	a := &adminServer{srv: &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, IdleTimeout: time.Minute}}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			nd.log.Warn().Err(err).Msgf("%s admin endpoint stopped", nd.id)
		}
	}()
	return a
}

// loopbackHostsOnly refuses requests to a loopback endpoint whose Host header is a name other
// than localhost: a page of another site whose name the attacker rebinds to 127.0.0.1 (DNS
// rebinding) sends its own name there, and so cannot read the status or profiles.
func loopbackHostsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if net.ParseIP(strings.Trim(host, "[]")) == nil && !strings.EqualFold(host, "localhost") {
			writeError(w, http.StatusForbidden, fmt.Errorf("host %q refused: a loopback admin endpoint answers to IP addresses and localhost only", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// stop closes the listener and every connection.
func (a *adminServer) stop() { a.srv.Close() }

func (nd *node) getFaults(w http.ResponseWriter, _ *http.Request) {
	if !nd.faults.allowed() {
		writeError(w, http.StatusForbidden, errFaultsOff)
		return
	}
	writeJSON(w, http.StatusOK, nd.faults.state(time.Now()))
}

// postFault applies one fault request. Besides --allow-faults, it takes only JSON bodies and
// refuses requests that a browser marks as cross-origin, so that a web page the operator
// visits cannot inject faults through the loopback endpoint (docs/operations.md, "Security").
func (nd *node) postFault(w http.ResponseWriter, r *http.Request) {
	if !nd.faults.allowed() {
		writeError(w, http.StatusForbidden, errFaultsOff)
		return
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		writeError(w, http.StatusForbidden, errors.New("fault requests from a web page are refused"))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, errors.New("a fault request is a JSON body (Content-Type: application/json)"))
		return
	}
	var req controlapi.FaultRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("bad fault request: %w", err))
		return
	}
	what, err := nd.faults.apply(req, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if ack := nd.faults.pauseAcked(); req.Action == controlapi.FaultPause && ack != nil {
		// Answer once the loop has stopped, so that what the caller does next (ask /status,
		// send a request) happens during the pause.
		select {
		case <-ack:
		case <-nd.done:
		case <-time.After(statusWait):
		}
	}
	nd.log.Warn().Msgf("%s FAULT injected through the admin endpoint: %s", nd.id, what)
	writeJSON(w, http.StatusOK, nd.faults.state(time.Now()))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, controlapi.AdminError{Error: err.Error()})
}
