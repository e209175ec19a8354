package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"networx/jobs"
)

// generator produces n pseudo-random bytes without holding them, hashing as it goes.
type generator struct {
	r    *rand.Rand
	left int64
	sum  io.Writer
}

func (g *generator) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	for i := range p {
		p[i] = byte('a' + g.r.IntN(26))
	}
	g.left -= int64(len(p))
	g.sum.Write(p)
	return len(p), nil
}

// TestUploadStreamsWithBoundedMemory sends a 200 MB multipart upload generated on the fly
// through the real HTTP stack into the blob store (S3 when configured) while sampling the
// process heap: the heap must not grow by anything near the file's size.
func TestUploadStreamsWithBoundedMemory(t *testing.T) {
	const size = 200 << 20
	// maxGrowth leaves room for the S3 uploader's buffers (3 parts of 8 MiB) and the
	// HTTP and TLS-free transport buffers; a buffered body would be 200 MB.
	const maxGrowth = 64 << 20
	e := newAPIEnv(t, envOptions{})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "big"}, 201, &p)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()

	h := sha256.New()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", "freight.csv")
		if err == nil {
			_, err = io.Copy(fw, &generator{r: rand.New(rand.NewPCG(1, 2)), left: size, sum: h})
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", e.ts.URL+apiPrefix+"/projects/"+p.ID+"/files", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := e.ts.Client().Do(req)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("heap in use grew by at most %.1f MB during a %d MB upload", float64(growth)/(1<<20), size>>20)
	if growth > maxGrowth {
		t.Errorf("heap grew by %d MB, want under %d MB: the body is being buffered", growth>>20, maxGrowth>>20)
	}
	var fv fileView
	if err := json.Unmarshal(raw, &fv); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(h.Sum(nil))
	if fv.Size != size || fv.SHA256 != want || fv.State != "processing" {
		t.Errorf("file %+v, want size %d, sha256 %s, processing", fv, size, want)
	}
	var blobKey string
	if err := e.db.Pool().QueryRow(context.Background(), `select blob_key from files where id = $1`, fv.ID).Scan(&blobKey); err != nil {
		t.Fatal(err)
	}
	info, err := e.blob.Stat(context.Background(), blobKey)
	if err != nil || info.Size != size {
		t.Errorf("stored object %+v %v, want %d bytes", info, err, size)
	}
}

func TestUploadLimitsAndTypes(t *testing.T) {
	e := newAPIEnv(t, envOptions{limits: Limits{MaxUploadBytes: 1000}})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "p"}, 201, &p)
	tests := []struct {
		name, file, content string
		want                int
		code                string
	}{
		{"fits", "lanes.csv", strings.Repeat("x", 1000), 201, ""},
		{"one byte over", "lanes.csv", strings.Repeat("x", 1001), 413, "too_large"},
		{"far over", "lanes.csv", strings.Repeat("x", 3<<20), 413, "too_large"},
		{"wrong type", "run.exe", "MZ", 415, "unsupported_media_type"},
		{"path in name is cut", "../../etc/lanes.csv", "a,b\n", 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := e.upload(t, key, p.ID, tc.file, tc.content)
			if resp.StatusCode != tc.want || !strings.Contains(string(raw), tc.code) {
				t.Fatalf("status %d, want %d %s: %s", resp.StatusCode, tc.want, tc.code, raw)
			}
			if tc.want == 201 {
				var fv fileView
				_ = json.Unmarshal(raw, &fv)
				if fv.Name != "lanes.csv" || fv.JobID == "" {
					t.Errorf("file %+v", fv)
				}
			}
		})
	}
	var n int
	_ = e.db.Pool().QueryRow(context.Background(), `select count(*) from files`).Scan(&n)
	if n != 2 {
		t.Errorf("%d file rows, want 2 (refused uploads store nothing)", n)
	}
	resp, raw := e.call(t, key, "POST", apiPrefix+"/projects/"+p.ID+"/files", `{"name":"x"}`, nil)
	if resp.StatusCode != 415 {
		t.Errorf("JSON to the multipart route: %d %s", resp.StatusCode, raw)
	}
}

// TestPresignedUpload uploads through a presigned S3 URL and confirms.
func TestPresignedUpload(t *testing.T) {
	e := newAPIEnv(t, envOptions{s3: true})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "p"}, 201, &p)
	var started struct {
		File   fileView `json:"file"`
		Upload struct {
			URL     string `json:"url"`
			Confirm string `json:"confirm"`
		} `json:"upload"`
	}
	e.mustJSON(t, key, "POST", apiPrefix+"/projects/"+p.ID+"/uploads", map[string]any{"name": "demand.csv"}, 201, &started)
	if started.File.State != "awaiting_upload" {
		t.Errorf("state %s", started.File.State)
	}
	resp, raw := e.call(t, key, "POST", started.Upload.Confirm, nil, nil)
	if resp.StatusCode != 409 || !strings.Contains(string(raw), "upload_missing") {
		t.Errorf("confirm before the PUT: %d %s", resp.StatusCode, raw)
	}
	req, _ := http.NewRequest("PUT", started.Upload.URL, strings.NewReader("destination,units\nA,1\n"))
	put, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	put.Body.Close()
	if put.StatusCode != 200 {
		t.Fatalf("PUT to the presigned URL: %d", put.StatusCode)
	}
	var fv fileView
	e.mustJSON(t, key, "POST", started.Upload.Confirm, nil, 200, &fv)
	if fv.Size != 22 || fv.JobID == "" || fv.State != "processing" {
		t.Errorf("confirmed file %+v", fv)
	}
	var again fileView
	e.mustJSON(t, key, "POST", started.Upload.Confirm, nil, 200, &again)
	if again.JobID != fv.JobID {
		t.Error("a second confirm queued the file again")
	}
}

// TestFileReportAndMapping plays the files worker's part (a dataset version with a
// report, written for the file's job) and reads the report, the mapping review, and the
// dataset preview; then overrides the mapping.
func TestFileReportAndMapping(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "p"}, 201, &p)
	_, raw := e.upload(t, key, p.ID, "lanes.csv", "facility,destination,cost_per_unit\nA,B,1.5\n")
	var fv fileView
	_ = json.Unmarshal(raw, &fv)
	resp, raw := e.call(t, key, "GET", apiPrefix+"/files/"+fv.ID+"/report", nil, nil)
	if resp.StatusCode != 409 || !strings.Contains(string(raw), "not_ready") {
		t.Fatalf("report before processing: %d %s", resp.StatusCode, raw)
	}
	// The worker's part: run the job, load the version, finish.
	ctx := context.Background()
	lease := "lease-1"
	if _, err := e.store.Start(ctx, fv.JobID, "w1", lease, 3); err != nil {
		t.Fatal(err)
	}
	report := `{"file":"lanes.csv","sheets":[{"file":"lanes.csv","name":"lanes","kind":"lanes","mapping":[{"column":"A","header":"facility","field":"facility","confidence":1}],"rows_read":1,"rows_accepted":1,"rows_rejected":0,"rows_skipped":0}],"verdict":{"pass":true}}`
	var vid int64
	if err := e.db.Pool().QueryRow(ctx, `insert into dataset_versions (tenant, dataset, version, file_name, content_hash, status, rows_read, rows_accepted, report, job_id)
values ('acme', $1, 1, 'lanes.csv', 'h', 'ready', 1, 1, $2, $3) returning id`, p.ID, report, fv.JobID).Scan(&vid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Pool().Exec(ctx, `insert into dataset_lanes (dataset_version_id, source_sheet, source_row, facility, destination, cost_per_unit) values ($1, 'lanes', 2, 'A', 'B', 1.5)`, vid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Finish(ctx, fv.JobID, lease, jobFinal()); err != nil {
		t.Fatal(err)
	}
	e.mustJSON(t, key, "GET", apiPrefix+"/files/"+fv.ID, nil, 200, &fv)
	if fv.State != "ready" || fv.DatasetVersion == nil || fv.DatasetVersion.ID != vid {
		t.Fatalf("file after load %+v", fv)
	}
	var rep map[string]any
	e.mustJSON(t, key, "GET", apiPrefix+"/files/"+fv.ID+"/report", nil, 200, &rep)
	if rep["verdict"].(map[string]any)["pass"] != true {
		t.Errorf("report %v", rep)
	}
	var mr struct {
		Sheets []sheetMapping `json:"sheets"`
	}
	e.mustJSON(t, key, "GET", apiPrefix+"/files/"+fv.ID+"/mapping", nil, 200, &mr)
	if len(mr.Sheets) != 1 || mr.Sheets[0].Mapping[0].Field != "facility" {
		t.Errorf("mapping review %+v", mr)
	}
	var prev struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	}
	e.mustJSON(t, key, "GET", fmt.Sprintf("%s/datasets/%d/preview?table=lanes", apiPrefix, vid), nil, 200, &prev)
	if len(prev.Rows) != 1 || len(prev.Columns) < 6 {
		t.Errorf("preview %+v", prev)
	}
	var page struct {
		Items []datasetVersion `json:"items"`
	}
	e.mustJSON(t, key, "GET", apiPrefix+"/projects/"+p.ID+"/datasets", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != vid {
		t.Errorf("datasets %+v", page)
	}

	bad := map[string]any{"sheets": map[string]any{"lanes": map[string]any{"kind": "lanes", "columns": map[string]string{"Fac": "warehouse"}}}}
	if resp, raw := e.call(t, key, "PUT", apiPrefix+"/files/"+fv.ID+"/mapping", bad, nil); resp.StatusCode != 400 || !strings.Contains(string(raw), "is not a field of lanes") {
		t.Errorf("bad override: %d %s", resp.StatusCode, raw)
	}
	good := map[string]any{"sheets": map[string]any{"lanes": map[string]any{"kind": "lanes", "columns": map[string]string{"Fac": "facility"}}}}
	var after fileView
	e.mustJSON(t, key, "PUT", apiPrefix+"/files/"+fv.ID+"/mapping", good, 202, &after)
	if after.JobID == fv.JobID || after.State != "processing" || len(after.Mapping) == 0 {
		t.Errorf("override did not queue a new files job: %+v", after)
	}
	rec, err := e.store.Get(ctx, after.JobID)
	if err != nil {
		t.Fatal(err)
	}
	var fs FilesJobSettings
	_ = json.Unmarshal(rec.Settings, &fs)
	if rec.Kind != KindFiles || fs.FileID != fv.ID || !strings.Contains(string(fs.Mapping), `"Fac":"facility"`) {
		t.Errorf("files job %+v %s", rec, rec.Settings)
	}
}

func jobFinal() jobs.Final { return jobs.Final{Status: jobs.StatusSucceeded} }
