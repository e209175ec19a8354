package files

import (
	"sync"
	"testing"

	"networx/roles/files/geo"
)

var (
	geoOnce  sync.Once
	geoTable *geo.Table
	geoErr   error
)

// testGeo loads the embedded table once for all tests of the package.
func testGeo(t testing.TB) *geo.Table {
	t.Helper()
	geoOnce.Do(func() { geoTable, geoErr = geo.Load() })
	if geoErr != nil {
		t.Fatal(geoErr)
	}
	return geoTable
}
