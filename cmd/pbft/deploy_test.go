package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The deploy/ files run `pbft node` with flags that must exist: these tests parse their
// commands with the real command's flag set, so a renamed flag breaks the build, not a
// deployment. (Docker has no engine on the development machine; the image itself is not
// built here. CGO_ENABLED=0 go build, the Dockerfile's command, is.)

// parseNodeArgs parses args (after "node") with pbft node's flags and returns the flags' values.
func parseNodeArgs(t *testing.T, where string, args []string) map[string]string {
	t.Helper()
	c := newNodeCommand(strings.NewReader(""), io.Discard, io.Discard)
	if err := c.ParseFlags(args); err != nil {
		t.Fatalf("%s: pbft node %s: %v", where, strings.Join(args, " "), err)
	}
	if len(c.Flags().Args()) > 0 {
		t.Errorf("%s: stray arguments %v", where, c.Flags().Args())
	}
	out := map[string]string{}
	for _, name := range []string{"config", "id", "data-dir"} {
		out[name] = c.Flags().Lookup(name).Value.String()
	}
	return out
}

type composeFile struct {
	Services map[string]struct {
		Command    []string `yaml:"command"`
		Entrypoint []string `yaml:"entrypoint"`
		Volumes    []string `yaml:"volumes"`
		ReadOnly   bool     `yaml:"read_only"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestDeployComposeRunsRealNodeFlags(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(b, &cf); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for i := 1; i <= 7; i++ {
		name := "n" + itoa(i)
		s, ok := cf.Services[name]
		if !ok || len(s.Command) == 0 || s.Command[0] != "node" || !s.ReadOnly {
			t.Fatalf("service %s: %+v; want a read-only container running pbft node", name, s)
		}
		fl := parseNodeArgs(t, "compose "+name, s.Command[1:])
		bundle := "./bundles/" + name + ":" + filepath.Dir(fl["config"]) + ":ro"
		data := name + "-data:" + fl["data-dir"]
		if fl["id"] != name || !slices.Contains(s.Volumes, bundle) || !slices.Contains(s.Volumes, data) {
			t.Errorf("service %s: flags %v, volumes %v; want --id %s, %q and %q", name, fl, s.Volumes, name, bundle, data)
		}
		if _, ok := cf.Volumes[name+"-data"]; !ok {
			t.Errorf("volume %s-data is not declared", name)
		}
	}
	if c := cf.Services["client"]; !slices.Contains(c.Volumes, "./bundles/clients:/etc/pbft:ro") || !slices.Contains(c.Entrypoint, "client") {
		t.Errorf("client service: %+v", c)
	}
}

func TestDeploySystemdUnitRunsRealNodeFlags(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "pbft@.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(b), "%i", "n3")
	exec := regexp.MustCompile(`(?m)^ExecStart=(\S+) node (.*)$`).FindStringSubmatch(unit)
	if exec == nil || exec[1] != "/usr/local/bin/pbft" {
		t.Fatalf("no ExecStart=/usr/local/bin/pbft node ... in the unit")
	}
	fl := parseNodeArgs(t, "pbft@.service", strings.Fields(exec[2]))
	if fl["id"] != "n3" || fl["config"] != "/etc/pbft/n3/cluster.yaml" || fl["data-dir"] != "/var/lib/pbft/n3" {
		t.Errorf("unit runs %v", fl)
	}
	for _, want := range []string{"StateDirectory=pbft/n3", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", strings.TrimSpace(want))
		}
	}
}

func TestDeployDockerfileBuildsAStaticBinary(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 || !strings.Contains(froms[len(froms)-1][1], "distroless/static") {
		t.Errorf("stages %v: want a build stage and a distroless/static final image", froms)
	}
	if !strings.Contains(df, "CGO_ENABLED=0 go build") || !strings.Contains(df, "./cmd/pbft") || !strings.Contains(df, "USER 65532") {
		t.Errorf("Dockerfile does not build ./cmd/pbft with CGO_ENABLED=0 or does not drop root")
	}
}
