package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const fourReplicas = `f: 1
replicas:
  - {id: 1, addr: "127.0.0.1:6001"}
  - {id: 2, addr: "127.0.0.1:6002"}
  - {id: 3, addr: "127.0.0.1:6003"}
  - {id: 4, addr: "127.0.0.1:6004"}
key_dir: keys
`

func TestLoadFillsDefaultsAndResolvesKeyDir(t *testing.T) {
	p := write(t, fourReplicas+"timers: {view_change: 1s}\ncheckpoint_interval: 5\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.N() != 4 || c.KeyDir != filepath.Join(filepath.Dir(p), "keys") || c.Scheme != "bls12381" {
		t.Fatalf("loaded %+v", c)
	}
	core := c.Core(2, nil)
	if core.ID != 2 || core.F != 1 || core.CheckpointInterval != 5 || core.ViewChangeTicks != int(time.Second/c.Timers.Tick) {
		t.Fatalf("core config %+v", core)
	}
	if c.Addrs()[3] != "127.0.0.1:6003" {
		t.Fatalf("addrs %v", c.Addrs())
	}
}

func TestLoadRejectsBadConfigurations(t *testing.T) {
	cases := map[string]string{
		"wrong replica count": "f: 2\nreplicas:\n  - {id: 1, addr: a}\n",
		"duplicate id":        strings.Replace(fourReplicas, "id: 4", "id: 3", 1),
		"id out of range":     strings.Replace(fourReplicas, "id: 4", "id: 9", 1),
		"missing address":     strings.Replace(fourReplicas, `addr: "127.0.0.1:6004"`, `addr: ""`, 1),
		"window below 2K":     fourReplicas + "checkpoint_interval: 10\nwindow: 15\n",
		"not yaml":            "f: [1\n",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(write(t, body)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	c := Default(2, 5001)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	back, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.N() != 7 || back.Replicas[6].Addr != "127.0.0.1:5007" || back.Window != c.Window {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestParseNodeName(t *testing.T) {
	for in, want := range map[string]pbft.NodeID{"n3": 3, "N7": 7, "S2": 2, "s1": 1, "5": 5} {
		if got, err := ParseNodeName(in, 7); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "n0", "n8", "x3", "n3x", "n-1", "03"} {
		if _, err := ParseNodeName(bad, 7); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
