package main

import "fmt"

// checkBasePort refuses a --base-port whose n replicas would not all get a port in 1..65535.
// Zero is refused like any other bad value: the libraries take a zero port as "the default",
// which would silently ignore what the user wrote.
func checkBasePort(port, n int) error {
	if port < 1 || port+n-1 > 65535 {
		return fmt.Errorf("--base-port %d: the %d replicas need ports %d..%d within 1..65535", port, n, port, port+n-1)
	}
	return nil
}
