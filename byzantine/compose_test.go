package byzantine

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestCompose(t *testing.T) {
	cases := []struct {
		name string
		b    Behavior
		self pbft.NodeID
		env  pbft.Envelope
		want string
	}{
		{"empty is honest", Compose(), 1, bcast(pp), all("n%d:PRE-PREPARE/s3+0")},
		{"time and dark", Compose(Time{DelayTicks: 10}, Dark{To: []pbft.NodeID{6}}), 1, bcast(pp),
			"n1:PRE-PREPARE/s3+0 " + every("n%d:PRE-PREPARE/s3+10", 2, 3, 4, 5, 7)},
		{"set 6: time, dark(n6), equivocation(n7)",
			Compose(Time{DelayTicks: 10}, Dark{To: []pbft.NodeID{6}}, Equivocation{Listed: []pbft.NodeID{7}}), 1, bcast(pp),
			"n1:PRE-PREPARE/s3+0 " + every("n%d:PRE-PREPARE/s4+10", 2, 3, 4, 5) + " n7:PRE-PREPARE/s3+10"},
		{"order does not matter", Compose(Equivocation{Listed: []pbft.NodeID{7}}, Dark{To: []pbft.NodeID{6}}, Time{DelayTicks: 10}), 1, bcast(pp),
			"n1:PRE-PREPARE/s3+0 " + every("n%d:PRE-PREPARE/s4+10", 2, 3, 4, 5) + " n7:PRE-PREPARE/s3+10"},
		{"delays add up", Compose(Time{DelayTicks: 10}, Time{DelayTicks: 5}), 2, to(1, commit), "n1:COMMIT+15"},
		{"crash and dark", Compose(Crash{}, Dark{To: []pbft.NodeID{1}}), 2, bcast(commitCert), every("n%d:COMMIT-CERT/s3+0", 2, 3, 4, 5, 6, 7)},
		{"nested", Compose(Compose(Crash{}), Compose(Dark{To: []pbft.NodeID{1}}, Honest{})), 2, to(1, commit), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := describe(c.b.Outbound(c.self, n, c.env)); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestComposeFlattens(t *testing.T) {
	if _, ok := Compose().(Honest); !ok {
		t.Fatal("Compose() is not Honest")
	}
	if _, ok := Compose(Honest{}, Crash{}).(Crash); !ok {
		t.Fatal("Compose of one attack is not that attack")
	}
	b := Compose(Compose(Sign{}, Crash{}), Dark{To: []pbft.NodeID{2}})
	if got := Name(b); got != "sign; crash; dark(n2)" {
		t.Fatalf("name %q", got)
	}
}
