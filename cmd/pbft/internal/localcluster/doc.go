// Package localcluster starts the replicas of a cluster configuration as background processes
// on this machine and stops them: `pbft cluster up`, `pbft cluster down` and `pbft cluster ps`.
// It is for trying the bank out and for demos; a real deployment runs one `pbft node` per host
// under its service manager.
//
// Everything it keeps lives beside the configuration file, in run/: a pid file and a log file
// per replica (run/n3.pid, run/n3.log). The replicas keep their data directories where
// `pbft node` puts them (data/n3 beside the configuration unless it says otherwise), so a
// cluster brought down and up again recovers its state.
package localcluster
