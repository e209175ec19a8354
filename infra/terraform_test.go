package infra_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zclconf/go-cty/cty"

	"networx/cli/clitest"
	"networx/config"
	"networx/jobs"
	"networx/jobs/queuetest"
	"networx/roles/serve"
	"networx/roles/work"
	"networx/storage"
)

// terraformDir is the AWS module.
func terraformDir(t *testing.T) string { return filepath.Join(repoRoot(t), "infra", "terraform") }

// TestTerraformFormat checks that every .tf file parses and is in canonical form (what
// `terraform fmt` writes: hclwrite.Format is its formatter).
func TestTerraformFormat(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	for name, src := range m.files {
		if got := hclwrite.Format(src); !bytes.Equal(got, src) {
			t.Errorf("%s is not formatted canonically (run terraform fmt); first difference at byte %d", name, firstDiff(got, src))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// container is the part of an ECS container definition the tests read.
type container struct {
	Name         string   `json:"name"`
	Image        string   `json:"image"`
	Essential    bool     `json:"essential"`
	Command      []string `json:"command"`
	StopTimeout  int      `json:"stopTimeout"`
	Environment  []struct{ Name, Value string }
	Secrets      []struct{ Name, ValueFrom string }
	PortMappings []struct {
		ContainerPort int `json:"containerPort"`
	} `json:"portMappings"`
	LogConfiguration struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
}

// taskDef is one evaluated task definition.
type taskDef struct {
	role           string
	cpu, memory    int64
	container      container
	env            map[string]string // plain environment
	secretEnv      map[string]string // secrets, resolved to their secret_string
	instanceKey    string
	executionRole  string
	taskRole       string
	ephemeralSpace int64
}

// taskDefinitions evaluates every aws_ecs_task_definition of the module.
func taskDefinitions(t *testing.T, m *tfModule) map[string]taskDef {
	t.Helper()
	secretStrings := secretValues(t, m)
	out := map[string]taskDef{}
	for _, b := range m.blocksOfType("aws_ecs_task_definition") {
		for _, in := range m.instances(t, b) {
			var cs []container
			if err := json.Unmarshal([]byte(m.str(t, in, "container_definitions")), &cs); err != nil {
				t.Fatalf("%s container_definitions: %v", in.address(), err)
			}
			if len(cs) != 1 {
				t.Fatalf("%s: want one container (the networx binary), got %d", in.address(), len(cs))
			}
			td := taskDef{role: in.key, container: cs[0], env: map[string]string{}, secretEnv: map[string]string{},
				cpu: number(t, m.mustAttr(t, in, "cpu")), memory: number(t, m.mustAttr(t, in, "memory")),
				executionRole: m.str(t, in, "execution_role_arn"), taskRole: m.str(t, in, "task_role_arn")}
			for _, e := range cs[0].Environment {
				if _, dup := td.env[e.Name]; dup {
					t.Errorf("%s: environment %s set twice", in.address(), e.Name)
				}
				td.env[e.Name] = e.Value
			}
			for _, s := range cs[0].Secrets {
				ref := m.Reference(s.ValueFrom)
				v, ok := secretStrings[strings.TrimSuffix(ref, ".arn")]
				if !ok {
					t.Errorf("%s: secret %s comes from %q, which is not the ARN of a secret with a version in the module", in.address(), s.Name, s.ValueFrom)
					continue
				}
				td.secretEnv[s.Name] = v
			}
			out[in.key] = td
		}
	}
	return out
}

// secretValues maps each aws_secretsmanager_secret address to the secret_string of its
// version, evaluated with placeholders for generated passwords and endpoints.
func secretValues(t *testing.T, m *tfModule) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range m.blocksOfType("aws_secretsmanager_secret_version") {
		for _, in := range m.instances(t, b) {
			id := m.Reference(m.str(t, in, "secret_id"))
			if !strings.HasPrefix(id, "aws_secretsmanager_secret.") || !strings.HasSuffix(id, ".id") {
				t.Errorf("%s: secret_id should be the id of an aws_secretsmanager_secret, got %q", in.address(), id)
				continue
			}
			out[strings.TrimSuffix(id, ".id")] = m.str(t, in, "secret_string")
		}
	}
	return out
}

func number(t *testing.T, v cty.Value) int64 {
	t.Helper()
	if v.Type() == cty.String {
		n, err := strconv.ParseInt(v.AsString(), 10, 64)
		if err != nil {
			t.Fatalf("not a number: %q", v.AsString())
		}
		return n
	}
	if v.Type() != cty.Number {
		t.Fatalf("not a number: %#v", v)
	}
	n, _ := v.AsBigFloat().Int64()
	return n
}

// The sizes the deployment is specified with (issue 8): Fargate CPU units and MiB.
var wantSizes = map[string][2]int64{
	"serve":             {2048, 4096},
	"work-optimization": {8192, 16384},
	"work-files":        {4096, 8192},
	"work-capacity":     {4096, 8192},
}

// ecsMaxStopTimeout is the longest stopTimeout Fargate allows, and the one networx's drain
// and shutdown timeouts are written against (config: jobs.drain_timeout).
const ecsMaxStopTimeout = 120 * time.Second

// TestTerraformTaskDefinitions checks each role's container against the code: the command
// is a valid networx invocation, every required setting is set (secrets from Secrets
// Manager, never in plain environment), the merged configuration validates, the queue
// driver is SQS, the stop timeout leaves room for the drain, and the ports agree.
func TestTerraformTaskDefinitions(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	tds := taskDefinitions(t, m)
	bin := clitest.Binary(t)

	wantRoles := []string{"migrate", "serve"}
	for _, q := range work.Queues {
		wantRoles = append(wantRoles, "work-"+q)
	}
	sort.Strings(wantRoles)
	gotRoles := slices.Sorted(mapKeys(tds))
	if !slices.Equal(gotRoles, wantRoles) {
		t.Fatalf("task definitions %v, want %v (one per role: serve, a worker per queue of roles/work.Queues, migrate)", gotRoles, wantRoles)
	}
	services := map[string]bool{}
	for _, in := range m.instances(t, m.block(t, "aws_ecs_service", "role")) {
		services[in.key] = true
	}
	for _, r := range wantRoles {
		if want := r != "migrate"; services[r] != want {
			t.Errorf("service for %s: got %v, want %v (every role but migrate runs as a service)", r, services[r], want)
		}
	}

	secretKeys := map[string]bool{}
	for _, s := range config.Settings() {
		if s.Secret {
			secretKeys[s.Env] = true
		}
	}
	required := requiredSettings(t)
	workerQueues := map[string]string{}

	for _, role := range wantRoles {
		td := tds[role]
		c := td.container
		t.Run(role, func(t *testing.T) {
			checkInvocation(t, bin, c.Command)
			if !c.Essential {
				t.Errorf("container is not essential: ECS would not replace a task whose networx exited")
			}
			switch {
			case role == "serve":
				if len(c.Command) == 0 || c.Command[0] != "serve" {
					t.Errorf("command %v does not start serve", c.Command)
				}
			case role == "migrate":
				if len(c.Command) == 0 || c.Command[0] != "migrate" {
					t.Errorf("command %v does not run migrate", c.Command)
				}
			default:
				if len(c.Command) == 0 || c.Command[0] != "work" {
					t.Fatalf("command %v does not start a worker", c.Command)
				}
				q := checkWorkerQueue(t, role, c.Command)
				if want := strings.TrimPrefix(role, "work-"); q != want {
					t.Errorf("role %s works queue %q", role, q)
				}
				workerQueues[q] = role
			}
			if want, ok := wantSizes[role]; ok && (td.cpu != want[0] || td.memory != want[1]) {
				t.Errorf("cpu/memory %d/%d, want %d/%d", td.cpu, td.memory, want[0], want[1])
			}

			// Settings: secrets only from Secrets Manager, every required one present.
			all := map[string]string{}
			for k, v := range td.env {
				if secretKeys[k] {
					t.Errorf("%s is a secret setting but is in the plain environment; use secrets", k)
				}
				all[k] = v
			}
			for k, v := range td.secretEnv {
				all[k] = v
			}
			for _, s := range required {
				if !settingSatisfied(s, c.Command, all) {
					t.Errorf("%s (%s) is not set; its default %q points at a developer's machine", s.Env, s.Key, s.Default)
				}
			}
			for k := range secretKeys {
				if _, ok := td.secretEnv[k]; !ok {
					t.Errorf("secret setting %s is not injected from Secrets Manager", k)
				}
			}
			flags := map[string]string{}
			if addr, ok := flagValue(c.Command, "addr"); ok {
				flags["http.addr"] = addr
			}
			var environ []string
			for k, v := range all {
				environ = append(environ, k+"="+v)
			}
			cfg, err := config.Load(config.Sources{Environ: environ, Flags: flags})
			if err != nil {
				t.Fatalf("the task's settings do not validate:\n%v", err)
			}
			if cfg.Queue.Driver != "sqs" || cfg.Queue.CreateQueues {
				t.Errorf("queue.driver %q create_queues %v: on AWS the driver is sqs and Terraform creates the queues", cfg.Queue.Driver, cfg.Queue.CreateQueues)
			}
			if !strings.HasPrefix(cfg.Blob.URL, "s3://") {
				t.Errorf("blob.url %q is not an S3 bucket", cfg.Blob.URL)
			}
			if err := (storage.RedisConfig{URL: cfg.Redis.URL}).Validate(); err != nil {
				t.Errorf("redis url from the secret does not parse: %v", err)
			}
			if !strings.HasPrefix(cfg.Redis.URL, "rediss") {
				t.Errorf("redis url %q does not use TLS (rediss:// or rediss-cluster://)", config.Redact(cfg.Redis.URL))
			}
			if !strings.Contains(cfg.Database.URL, "sslmode=require") && !strings.Contains(cfg.Database.URL, "sslmode=verify") {
				t.Errorf("database url %q does not require TLS", config.Redact(cfg.Database.URL))
			}

			// Stopping: SIGTERM, then SIGKILL after stopTimeout.
			stop := time.Duration(c.StopTimeout) * time.Second
			if stop != ecsMaxStopTimeout {
				t.Errorf("stopTimeout %s, want %s", stop, ecsMaxStopTimeout)
			}
			if c.Command[0] == "work" && cfg.Jobs.DrainTimeout+10*time.Second > stop {
				t.Errorf("jobs.drain_timeout %s leaves under 10 s of the %s stop timeout to release messages", cfg.Jobs.DrainTimeout, stop)
			}
			if c.Command[0] == "serve" && cfg.HTTP.ShutdownTimeout >= stop {
				t.Errorf("http.shutdown_timeout %s is not under the %s stop timeout", cfg.HTTP.ShutdownTimeout, stop)
			}

			// Ports: the listener the command opens is the one the task maps.
			var listen string
			switch c.Command[0] {
			case "serve":
				listen = cfg.HTTP.Addr
			case "work":
				listen, _ = flagValue(c.Command, "admin-addr")
			}
			if listen != "" {
				if host := strings.TrimSuffix(listen, ":"+portOf(t, listen)); host == "127.0.0.1" || host == "localhost" {
					t.Errorf("listens on %s, unreachable from outside the container", listen)
				}
				if len(c.PortMappings) != 1 || strconv.Itoa(c.PortMappings[0].ContainerPort) != portOf(t, listen) {
					t.Errorf("port mappings %+v, want the one port of %s", c.PortMappings, listen)
				}
			}

			// Logs go to a log group of the module that has a retention.
			if c.LogConfiguration.LogDriver != "awslogs" {
				t.Errorf("log driver %q, want awslogs", c.LogConfiguration.LogDriver)
			}
			if g := c.LogConfiguration.Options["awslogs-group"]; !logGroupHasRetention(t, m, g) {
				t.Errorf("log group %q is not a log group of the module with a retention", g)
			}
		})
	}
	for _, q := range work.Queues {
		if workerQueues[q] == "" {
			t.Errorf("no worker service for queue %s", q)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func logGroupHasRetention(t *testing.T, m *tfModule, name string) bool {
	for _, b := range m.blocksOfType("aws_cloudwatch_log_group") {
		for _, in := range m.instances(t, b) {
			if m.str(t, in, "name") == name {
				r, ok := m.attr(t, in, "retention_in_days")
				return ok && number(t, r) > 0
			}
		}
	}
	return false
}

// TestTerraformLoadBalancer checks that the target group sends traffic to serve's port
// and that its health check path is serve's liveness endpoint: it answers 200 from the
// real handler even while a dependency is down (so an outage does not empty the target
// group), unlike readiness.
func TestTerraformLoadBalancer(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	tds := taskDefinitions(t, m)
	serveAddr, _ := flagValue(tds["serve"].container.Command, "addr")
	tg := m.instances(t, m.block(t, "aws_lb_target_group", "serve"))[0]
	if got := strconv.FormatInt(number(t, m.mustAttr(t, tg, "port")), 10); got != portOf(t, serveAddr) {
		t.Errorf("target group port %s, serve listens on %s", got, serveAddr)
	}
	var hc struct{ path, matcher string }
	for _, b := range tg.block.body.Blocks {
		if b.Type == "health_check" {
			for name, a := range b.Body.Attributes {
				v, err := m.evalExpr(a.Expr, &tg)
				if err != nil {
					t.Fatal(err)
				}
				switch name {
				case "path":
					hc.path = v.AsString()
				case "matcher":
					hc.matcher = v.AsString()
				}
			}
		}
	}
	if hc.path == "" || hc.matcher != "200" {
		t.Fatalf("target group health check path %q matcher %q, want a path answered 200", hc.path, hc.matcher)
	}

	down := errors.New("dependency down")
	srv, err := serve.New(serve.Config{Addr: serveAddr}, slog.New(slog.DiscardHandler), prometheus.NewRegistry(), prometheus.NewRegistry(),
		[]serve.Check{{Name: "postgresql", Probe: func(context.Context) error { return down }}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(path string) int {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(hc.path); code != http.StatusOK {
		t.Errorf("serve answers the health check path %s with %d while PostgreSQL is down, want 200", hc.path, code)
	}
	if code := get("/api/ready"); code == http.StatusOK {
		t.Errorf("/api/ready answers 200 with PostgreSQL down; this test's fixture is wrong")
	}

	https := m.instances(t, m.block(t, "aws_lb_listener", "https"))[0]
	if m.str(t, https, "protocol") != "HTTPS" || number(t, m.mustAttr(t, https, "port")) != 443 {
		t.Errorf("the API listener is not HTTPS on 443")
	}
}

// sqsQueue is one evaluated aws_sqs_queue.
type sqsQueue struct {
	name, kms, redriveTarget string
	fifo                     bool
	visibility, maxReceives  int64
}

func sqsQueues(t *testing.T, m *tfModule, resource string) map[string]sqsQueue {
	t.Helper()
	out := map[string]sqsQueue{}
	for _, in := range m.instances(t, m.block(t, "aws_sqs_queue", resource)) {
		q := sqsQueue{name: m.str(t, in, "name")}
		if v, ok := m.attr(t, in, "fifo_queue"); ok {
			q.fifo = v.True()
		}
		if _, ok := m.attr(t, in, "kms_master_key_id"); ok {
			q.kms = m.str(t, in, "kms_master_key_id")
		} else if v, ok := m.attr(t, in, "sqs_managed_sse_enabled"); ok && v.True() {
			q.kms = "sqs-managed"
		}
		if v, ok := m.attr(t, in, "visibility_timeout_seconds"); ok {
			q.visibility = number(t, v)
		}
		if _, ok := m.attr(t, in, "redrive_policy"); ok {
			var rp struct {
				Target string `json:"deadLetterTargetArn"`
				Max    int64  `json:"maxReceiveCount"`
			}
			if err := json.Unmarshal([]byte(m.str(t, in, "redrive_policy")), &rp); err != nil {
				t.Fatalf("%s redrive_policy: %v", in.address(), err)
			}
			q.redriveTarget, q.maxReceives = m.Reference(rp.Target), rp.Max
		}
		out[in.key] = q
	}
	return out
}

// TestTerraformQueues checks the SQS queues against the jobs code: one per queue of
// roles/work.Queues, FIFO exactly where roles/work.FIFO says, a dead-letter queue of the
// same type, names the SQS driver accepts (jobs.SQSQueueConfig.Validate) with the prefix
// the tasks are given, and redrive and visibility settings equal to the workers'.
func TestTerraformQueues(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	main, dead := sqsQueues(t, m, "main"), sqsQueues(t, m, "dead")
	tds := taskDefinitions(t, m)
	env := tds["work-optimization"].env
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	environ = append(environ, "NETWORX_BLOB_URL=s3://b/p")
	cfg, err := config.Load(config.Sources{Environ: environ})
	if err != nil {
		t.Fatalf("worker settings: %v", err)
	}
	def := config.Default()
	if v := m.vars["max_attempts"]; number(t, v) != int64(def.Queue.MaxAttempts) {
		t.Errorf("var.max_attempts default %d, networx's queue.max_attempts default is %d", number(t, v), def.Queue.MaxAttempts)
	}
	if v := m.vars["visibility_timeout_seconds"]; time.Duration(number(t, v))*time.Second != def.Jobs.VisibilityTimeout {
		t.Errorf("var.visibility_timeout_seconds default %d, networx's jobs.visibility_timeout default is %s", number(t, v), def.Jobs.VisibilityTimeout)
	}
	if cfg.Queue.MaxAttempts != def.Queue.MaxAttempts || cfg.Jobs.VisibilityTimeout != def.Jobs.VisibilityTimeout {
		t.Errorf("the workers get max_attempts %d and visibility %s, not the module's defaults", cfg.Queue.MaxAttempts, cfg.Jobs.VisibilityTimeout)
	}
	for _, td := range tds {
		if td.env["NETWORX_QUEUE_NAME_PREFIX"] != cfg.Queue.NamePrefix || td.env["NETWORX_QUEUE_MAX_ATTEMPTS"] != env["NETWORX_QUEUE_MAX_ATTEMPTS"] {
			t.Errorf("%s: queue settings differ from the workers'", td.role)
		}
	}

	if got := slices.Sorted(mapKeys(main)); !slices.Equal(got, slices.Sorted(slices.Values(work.Queues))) {
		t.Fatalf("queues %v, networx has %v", got, work.Queues)
	}
	for _, name := range work.Queues {
		q, d := main[name], dead[name]
		fifo := work.FIFO(name)
		if q.fifo != fifo || d.fifo != fifo {
			t.Errorf("%s: fifo %v, dead-letter fifo %v; networx uses fifo=%v", name, q.fifo, d.fifo, fifo)
		}
		if !strings.HasPrefix(q.name, cfg.Queue.NamePrefix) || !strings.HasPrefix(d.name, cfg.Queue.NamePrefix) {
			t.Errorf("%s: names %s and %s lack the prefix %q the tasks use", name, q.name, d.name, cfg.Queue.NamePrefix)
		}
		want := cfg.Queue.NamePrefix + name
		if fifo {
			want += ".fifo"
		}
		if q.name != want {
			t.Errorf("%s: queue name %s, the workers open %s", name, q.name, want)
		}
		if err := (jobs.SQSQueueConfig{Name: name, QueueName: q.name, DeadLetterQueueName: d.name, FIFO: fifo}).Validate(); err != nil {
			t.Errorf("%s: the SQS driver rejects the names: %v", name, err)
		}
		if q.redriveTarget != fmt.Sprintf("aws_sqs_queue.dead[%q].arn", name) {
			t.Errorf("%s: redrive target %q is not its own dead-letter queue", name, q.redriveTarget)
		}
		if q.maxReceives <= int64(cfg.Queue.MaxAttempts) {
			t.Errorf("%s: maxReceiveCount %d does not exceed queue.max_attempts %d: SQS would dead-letter before the worker records the failure", name, q.maxReceives, cfg.Queue.MaxAttempts)
		}
		if time.Duration(q.visibility)*time.Second != cfg.Jobs.VisibilityTimeout {
			t.Errorf("%s: visibility timeout %d s, the workers lease for %s", name, q.visibility, cfg.Jobs.VisibilityTimeout)
		}
		if q.kms == "" || d.kms == "" {
			t.Errorf("%s: queue or dead-letter queue is not encrypted", name)
		}
	}

	// The same queues created by networx's own code (queue.create_queues, the local and
	// test path) against the SQS stand-in: Terraform must create what networx would.
	t.Run("as networx creates them", func(t *testing.T) {
		client := queuetest.SQS(t)
		t.Setenv("AWS_ENDPOINT_URL_SQS", os.Getenv(queuetest.EnvSQSEndpoint))
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			t.Setenv("AWS_ACCESS_KEY_ID", "test")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "testsecret")
		}
		if os.Getenv("AWS_REGION") == "" {
			t.Setenv("AWS_REGION", "us-east-1")
		}
		ctx := context.Background()
		local := cfg
		local.Queue.NamePrefix = "nxinfra-" + jobs.RandomID()[:8] + "-"
		local.Queue.CreateQueues = true
		local.Queue.Driver = "sqs"
		var created []string
		t.Cleanup(func() {
			for _, u := range created {
				_, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
			}
		})
		for _, name := range work.Queues {
			if _, err := work.OpenQueue(ctx, local, name, nil); err != nil {
				t.Fatalf("open %s: %v", name, err)
			}
			tfName := strings.TrimPrefix(main[name].name, cfg.Queue.NamePrefix)
			tfDead := strings.TrimPrefix(dead[name].name, cfg.Queue.NamePrefix)
			u, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(local.Queue.NamePrefix + tfName)})
			if err != nil {
				t.Fatalf("%s: networx did not create %s: %v", name, local.Queue.NamePrefix+tfName, err)
			}
			created = append(created, aws.ToString(u.QueueUrl))
			if du, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(local.Queue.NamePrefix + tfDead)}); err != nil {
				t.Errorf("%s: networx names its dead-letter queue differently from %s: %v", name, tfDead, err)
			} else {
				created = append(created, aws.ToString(du.QueueUrl))
			}
			attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
			if err != nil {
				t.Fatal(err)
			}
			var rp struct {
				Target string `json:"deadLetterTargetArn"`
				Max    json.Number
			}
			if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &rp); err != nil {
				t.Fatalf("%s redrive policy %q: %v", name, attrs.Attributes["RedrivePolicy"], err)
			}
			var raw map[string]any
			_ = json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &raw)
			if got := fmt.Sprint(raw["maxReceiveCount"]); got != strconv.FormatInt(main[name].maxReceives, 10) {
				t.Errorf("%s: networx sets maxReceiveCount %s, Terraform %d", name, got, main[name].maxReceives)
			}
			if !strings.HasSuffix(rp.Target, ":"+local.Queue.NamePrefix+tfDead) {
				t.Errorf("%s: networx's redrive target %s, Terraform's dead-letter queue %s", name, rp.Target, tfDead)
			}
			if got := attrs.Attributes["FifoQueue"] == "true"; got != main[name].fifo {
				t.Errorf("%s: networx creates fifo=%v, Terraform %v", name, got, main[name].fifo)
			}
		}
	})
}

// TestTerraformTaskRoles checks least privilege: a worker's task role reaches only its own
// queue and dead-letter queue, serve may send to every queue but receive from none, migrate
// gets nothing, and no SQS or S3 permission is granted on "*".
func TestTerraformTaskRoles(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	policies := map[string][]statement{}
	for _, in := range m.instances(t, m.block(t, "aws_iam_role_policy", "task")) {
		var doc struct{ Statement []statement }
		if err := json.Unmarshal([]byte(m.str(t, in, "policy")), &doc); err != nil {
			t.Fatalf("%s: %v", in.address(), err)
		}
		if want := fmt.Sprintf("aws_iam_role.task[%q].id", in.key); m.Reference(m.str(t, in, "role")) != want {
			t.Errorf("%s attaches to %s, want %s", in.address(), m.Reference(m.str(t, in, "role")), want)
		}
		policies[in.key] = doc.Statement
	}
	tds := taskDefinitions(t, m)
	for role, td := range tds {
		if want := fmt.Sprintf("aws_iam_role.task[%q].arn", role); m.Reference(td.taskRole) != want {
			t.Errorf("%s runs with task role %s, want its own %s", role, m.Reference(td.taskRole), want)
		}
	}
	can := func(role, action, ref string) bool {
		for _, s := range policies[role] {
			if s.Effect != "Allow" || !slices.Contains(s.actions(), action) {
				continue
			}
			for _, r := range s.resources() {
				if m.Reference(r) == ref {
					return true
				}
			}
		}
		return false
	}
	for _, q := range work.Queues {
		mainRef, deadRef := fmt.Sprintf("aws_sqs_queue.main[%q].arn", q), fmt.Sprintf("aws_sqs_queue.dead[%q].arn", q)
		if !can("serve", "sqs:SendMessage", mainRef) {
			t.Errorf("serve cannot enqueue on %s", q)
		}
		if can("serve", "sqs:ReceiveMessage", mainRef) {
			t.Errorf("serve may receive from %s", q)
		}
		w := "work-" + q
		for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} {
			if !can(w, a, mainRef) {
				t.Errorf("%s lacks %s on its queue", w, a)
			}
		}
		if !can(w, "sqs:SendMessage", deadRef) {
			t.Errorf("%s cannot dead-letter to its dead-letter queue", w)
		}
	}
	for role, sts := range policies {
		if role == "migrate" && len(sts) > 0 {
			t.Errorf("migrate has permissions: %+v", sts)
		}
		for _, s := range sts {
			for _, r := range s.resources() {
				ref := m.Reference(r)
				if r == "*" && slices.ContainsFunc(s.actions(), func(a string) bool { return strings.HasPrefix(a, "sqs:") || strings.HasPrefix(a, "s3:") }) {
					t.Errorf("%s: %v on *", role, s.actions())
				}
				if q, ok := queueOfRef(ref); ok && strings.HasPrefix(role, "work-") && q != strings.TrimPrefix(role, "work-") {
					t.Errorf("%s reaches another queue: %v on %s", role, s.actions(), ref)
				}
			}
		}
	}
}

// queueOfRef returns the queue of an aws_sqs_queue reference.
func queueOfRef(ref string) (string, bool) {
	for _, p := range []string{`aws_sqs_queue.main["`, `aws_sqs_queue.dead["`} {
		if rest, ok := strings.CutPrefix(ref, p); ok {
			q, _, _ := strings.Cut(rest, `"`)
			return q, true
		}
	}
	return "", false
}

// statement is an IAM policy statement; Action and Resource are a string or a list.
type statement struct {
	Effect   string
	Action   json.RawMessage
	Resource json.RawMessage
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

func (s statement) actions() []string   { return stringOrList(s.Action) }
func (s statement) resources() []string { return stringOrList(s.Resource) }

// TestTerraformDataStores checks the settings the deployment is specified with (issue 8)
// on the database, the cache and the buckets.
func TestTerraformDataStores(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	one := func(typ, name string) tfInstance { return m.instances(t, m.block(t, typ, name))[0] }
	db := one("aws_db_instance", "main")
	checks := []struct {
		in   tfInstance
		attr string
		want cty.Value
	}{
		{db, "engine", cty.StringVal("postgres")},
		{db, "engine_version", cty.StringVal("15")},
		{db, "multi_az", cty.True},
		{db, "storage_encrypted", cty.True},
		{db, "backup_retention_period", cty.NumberIntVal(30)},
		{db, "deletion_protection", cty.True},
		{db, "publicly_accessible", cty.False},
		{one("aws_db_proxy", "main"), "require_tls", cty.True},
		{one("aws_elasticache_replication_group", "main"), "multi_az_enabled", cty.True},
		{one("aws_elasticache_replication_group", "main"), "automatic_failover_enabled", cty.True},
		{one("aws_elasticache_replication_group", "main"), "transit_encryption_enabled", cty.True},
		{one("aws_elasticache_replication_group", "main"), "at_rest_encryption_enabled", cty.True},
	}
	for _, c := range checks {
		if got := m.mustAttr(t, c.in, c.attr); !got.Equals(c.want).True() {
			t.Errorf("%s.%s = %#v, want %#v", c.in.address(), c.attr, got, c.want)
		}
	}
	replica := one("aws_db_instance", "replica")
	if m.Reference(m.str(t, replica, "replicate_source_db")) != "aws_db_instance.main.identifier" {
		t.Errorf("the replica does not replicate the primary")
	}
	rg := one("aws_elasticache_replication_group", "main")
	if number(t, m.mustAttr(t, rg, "num_node_groups")) < 2 {
		t.Errorf("Redis is not sharded (cluster mode)")
	}
	if m.Reference(m.str(t, rg, "auth_token")) == "" {
		t.Errorf("Redis auth token is not a generated password")
	}

	// Every bucket has each protection, as its own resource.
	buckets := m.instances(t, m.block(t, "aws_s3_bucket", "data"))
	for _, typ := range []string{"aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration",
		"aws_s3_bucket_public_access_block", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy"} {
		covered := map[string]bool{}
		for _, b := range m.blocksOfType(typ) {
			for _, in := range m.instances(t, b) {
				covered[m.Reference(m.str(t, in, "bucket"))] = true
			}
		}
		for _, b := range buckets {
			if !covered[b.address()+".id"] {
				t.Errorf("bucket %s has no %s", b.key, typ)
			}
		}
	}
	for _, in := range m.instances(t, m.block(t, "aws_s3_bucket_policy", "data")) {
		var doc struct {
			Statement []struct {
				Effect    string
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(m.str(t, in, "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		tlsOnly := false
		for _, s := range doc.Statement {
			if s.Effect == "Deny" && s.Condition["Bool"]["aws:SecureTransport"] == "false" {
				tlsOnly = true
			}
		}
		if !tlsOnly {
			t.Errorf("bucket %s: the policy does not deny requests without TLS", in.key)
		}
	}
	for _, in := range m.instances(t, m.block(t, "aws_s3_bucket_public_access_block", "data")) {
		for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if !m.mustAttr(t, in, a).True() {
				t.Errorf("bucket %s: %s is not true", in.key, a)
			}
		}
	}
}

// alarmNames returns the name of every CloudWatch alarm of the module, with the default
// deployment name.
func alarmNames(t *testing.T, m *tfModule) []string {
	t.Helper()
	var names []string
	topic := "aws_sns_topic.alarms.arn"
	for _, b := range m.blocksOfType("aws_cloudwatch_metric_alarm") {
		for _, in := range m.instances(t, b) {
			names = append(names, m.str(t, in, "alarm_name"))
			actions := m.mustAttr(t, in, "alarm_actions")
			found := false
			for it := actions.ElementIterator(); it.Next(); {
				_, v := it.Element()
				found = found || m.Reference(v.AsString()) == topic
			}
			if !found {
				t.Errorf("%s does not notify the alarm topic", in.address())
			}
		}
	}
	sort.Strings(names)
	return names
}

// TestTerraformAlarms checks that every condition of the deployment's alarm list has an
// alarm, each notifying the SNS topic whose subscriptions are a variable.
func TestTerraformAlarms(t *testing.T) {
	m := loadModule(t, terraformDir(t))
	names := alarmNames(t, m)
	want := []string{"serve-5xx-rate", "serve-p99-latency", "db-cpu", "db-connections", "db-free-storage",
		"redis-memory", "redis-evictions", "task-restarts"}
	for _, q := range work.Queues {
		want = append(want, q+"-oldest-message-age", q+"-dlq-not-empty")
	}
	for _, w := range want {
		if !slices.Contains(names, "networx-"+w) {
			t.Errorf("no alarm networx-%s (have %v)", w, names)
		}
	}
	sub := m.instances(t, m.block(t, "aws_sns_topic_subscription", "alarms"))
	if len(sub) != 0 {
		t.Errorf("subscriptions exist with the default (empty) var.alarm_subscriptions: %d", len(sub))
	}
	if b := m.block(t, "aws_sns_topic_subscription", "alarms"); !strings.Contains(exprText(m, b, "for_each"), "var.alarm_subscriptions") {
		t.Errorf("alarm subscriptions do not come from var.alarm_subscriptions")
	}
}

func exprText(m *tfModule, b *tfBlock, attr string) string {
	a, ok := b.body.Attributes[attr]
	if !ok {
		return ""
	}
	r := a.Expr.Range()
	return string(r.SliceBytes(m.files[filepath.Base(r.Filename)]))
}
