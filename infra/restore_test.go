package infra_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"networx/cli/clitest"
	"networx/storage/storagetest"
)

// TestRestoreCheck runs scripts/restore-check.sh, the single-host restore procedure of
// docs/operations.md (pg_dump, pg_restore, networx reads everything back), against the
// PostgreSQL server of NETWORX_TEST_DATABASE_URL.
func TestRestoreCheck(t *testing.T) {
	admin := storagetest.AdminDatabaseURL(t)
	for _, tool := range []string{"psql", "pg_dump", "pg_restore", "redis-server", "redis-cli"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the restore check needs %s: %v", tool, err)
		}
	}
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "restore-check.sh"))
	cmd.Env = append(os.Environ(), "NETWORX_TEST_DATABASE_URL="+admin, "NETWORX_BIN="+clitest.Binary(t))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("restore-check.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
