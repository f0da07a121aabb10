// Package control is the parent side of a replica's control channel: JSON lines over the
// child's stdin and stdout, which `pbft --test` uses to drive the replicas it started and that
// is never open to the network (docs/design.md, "Processes, transport, configuration").
//
// A request is {"id": 7, "cmd": "status", "seq": 3}; the answer is {"id": 7, "ok": true,
// "error": "", "data": {...}}. The child announces {"id": 0, "ok": true, "data": {"event":
// "ready"}} once it listens on its address, and exits when its stdin reaches EOF. The data of
// each command is described by the types of package pbft/node/controlapi, which the replica
// also uses to build them; callers use those types directly.
package control
