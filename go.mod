module github.com/bftbank/pbft

go 1.26.8

require (
	filippo.io/edwards25519 v1.1.0
	github.com/HdrHistogram/hdrhistogram-go v1.1.2
	github.com/cloudflare/circl v1.6.1
	github.com/consensys/gnark-crypto v0.19.2
	github.com/oasisprotocol/curve25519-voi v0.0.0-20230904125328-1f23a7beb09a
	github.com/rs/zerolog v1.34.0
	github.com/spf13/cobra v1.9.1
	go.dedis.ch/kyber/v3 v3.1.0
	google.golang.org/protobuf v1.36.6
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/anishathalye/porcupine v1.3.1 // indirect
	github.com/bits-and-blooms/bitset v1.20.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.19 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	github.com/spf13/pflag v1.0.6 // indirect
	go.dedis.ch/fixbuf v1.0.3 // indirect
	golang.org/x/crypto v0.35.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
