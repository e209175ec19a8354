package capacity_test

import (
	"encoding/json"
	"testing"

	"networx/roles/capacity"
)

// clone deep-copies a result through its JSON form.
func clone(t *testing.T, r *capacity.Result) *capacity.Result {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out capacity.Result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}
