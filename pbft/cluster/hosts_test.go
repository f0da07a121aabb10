package cluster

import (
	"strings"
	"testing"
)

func TestPlaceOn(t *testing.T) {
	c := Default(1, 5001)
	if err := c.PlaceOn([]string{"10.9.0.1", "10.9.0.2:7000", "db3", "::1"}, 5001); err != nil {
		t.Fatal(err)
	}
	want := []string{"10.9.0.1:5001", "10.9.0.2:7000", "db3:5003", "[::1]:5004"}
	for i, r := range c.Replicas {
		if r.ID != i+1 || r.Addr != want[i] {
			t.Errorf("replica %d: %+v, want id %d at %s", i, r, i+1, want[i])
		}
	}
	for _, tc := range []struct {
		hosts []string
		err   string
	}{
		{[]string{"a", "b", "c"}, "3 replica hosts for 4 replicas"},
		{[]string{"a", "", "c", "d"}, "replica host 2"},
		{[]string{"a", "b:0", "c", "d"}, "want 1..65535"},
		{[]string{"a", "b:x", "c", "d"}, "want 1..65535"},
		{[]string{"a", ":80", "c", "d"}, "no host"},
		{[]string{"a", "b c", "c", "d"}, "want a host"},
		{[]string{"a:9", "a:9", "c", "d"}, "same address"},
	} {
		err := Default(1, 5001).PlaceOn(tc.hosts, 5001)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want it to say %q", tc.hosts, err, tc.err)
		}
	}
}
