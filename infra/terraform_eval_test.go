package infra_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// The Terraform module is read without terraform: hclsyntax parses it and a small
// evaluator computes what the tests need (container definitions, queue settings, IAM
// policies, alarm names) the way Terraform would at plan time. Variables take their
// defaults; attributes of resources and data sources, which only exist after an apply,
// evaluate to placeholder strings that name them ("aws-sqs-queue.dead.files.arn"), so a
// test can tell which resource an ARN in a policy or a redrive target refers to.

// tfModule is a parsed Terraform module.
type tfModule struct {
	dir    string
	files  map[string][]byte
	vars   map[string]cty.Value
	locals map[string]cty.Value
	blocks []*tfBlock
	// attrNames are all attribute names used after a resource reference anywhere in the
	// module: each placeholder resource instance has all of them.
	attrNames map[string]bool
	// placeholders maps a placeholder string to the reference it stands for.
	placeholders map[string]string
	// base caches the module-level variables of the evaluation context; it is dropped
	// whenever a local or a for_each is resolved.
	base map[string]cty.Value
}

// tfBlock is one resource or data block.
type tfBlock struct {
	mode, typ, name string // mode: "resource" or "data"
	body            *hclsyntax.Body
	forEach         hcl.Expression
	// instances maps instance keys to each.value (a block without for_each has the one key
	// "" and a null each.value); nil until the for_each is known.
	instances map[string]cty.Value
}

// tfInstance is one instance of a block.
type tfInstance struct {
	block *tfBlock
	key   string
}

func (in tfInstance) address() string {
	a := in.block.typ + "." + in.block.name
	if in.block.mode == "data" {
		a = "data." + a
	}
	if in.block.forEach != nil {
		a += fmt.Sprintf("[%q]", in.key)
	}
	return a
}

// functions are the Terraform functions the module uses in what the tests evaluate.
var functions = map[string]function.Function{
	"concat":      stdlib.ConcatFunc,
	"contains":    stdlib.ContainsFunc,
	"flatten":     stdlib.FlattenFunc,
	"format":      stdlib.FormatFunc,
	"jsonencode":  stdlib.JSONEncodeFunc,
	"keys":        stdlib.KeysFunc,
	"length":      stdlib.LengthFunc,
	"merge":       stdlib.MergeFunc,
	"range":       stdlib.RangeFunc,
	"setsubtract": stdlib.SetSubtractFunc,
	"values":      stdlib.ValuesFunc,
	"tostring":    convertFunc(cty.String),
	"toset":       convertFunc(cty.Set(cty.String)),
	"urlencode": function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(url.QueryEscape(args[0].AsString())), nil
		},
	}),
}

func convertFunc(to cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowDynamicType: true}},
		Type:   function.StaticReturnType(to),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return convert.Convert(args[0], to)
		},
	})
}

var modules struct {
	sync.Mutex
	byDir map[string]*tfModule
}

// loadModule parses every .tf file of dir and evaluates its variables and locals, once per
// test process.
func loadModule(t *testing.T, dir string) *tfModule {
	t.Helper()
	modules.Lock()
	defer modules.Unlock()
	if m, ok := modules.byDir[dir]; ok {
		return m
	}
	m := parseModule(t, dir)
	if modules.byDir == nil {
		modules.byDir = map[string]*tfModule{}
	}
	modules.byDir[dir] = m
	return m
}

func parseModule(t *testing.T, dir string) *tfModule {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	m := &tfModule{dir: dir, files: map[string][]byte{}, vars: map[string]cty.Value{}, locals: map[string]cty.Value{},
		attrNames: map[string]bool{}, placeholders: map[string]string{}}
	localExprs := map[string]hcl.Expression{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m.files[filepath.Base(p)] = src
		f, diags := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", p, diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		m.collectAttrNames(body)
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				m.vars[b.Labels[0]] = variableValue(t, b)
			case "locals":
				for name, a := range b.Body.Attributes {
					if _, dup := localExprs[name]; dup {
						t.Fatalf("local %s defined twice", name)
					}
					localExprs[name] = a.Expr
				}
			case "resource", "data":
				tb := &tfBlock{mode: b.Type, typ: b.Labels[0], name: b.Labels[1], body: b.Body}
				if a, ok := b.Body.Attributes["for_each"]; ok {
					tb.forEach = a.Expr
				} else if _, ok := b.Body.Attributes["count"]; ok {
					t.Fatalf("%s.%s: count is not supported by this reader; use for_each", tb.typ, tb.name)
				} else {
					tb.instances = map[string]cty.Value{"": cty.NullVal(cty.DynamicPseudoType)}
				}
				m.blocks = append(m.blocks, tb)
			}
		}
	}

	// Locals and for_each expressions depend on each other; evaluate until nothing changes.
	lastErr := map[string]error{}
	for progress := true; progress; {
		// The context is rebuilt once per pass: what a pass resolves is seen by the next.
		m.base = nil
		progress = false
		for _, b := range m.blocks {
			if b.instances != nil {
				continue
			}
			v, err := m.evalExpr(b.forEach, nil)
			if err != nil || !v.IsWhollyKnown() {
				lastErr[b.typ+"."+b.name+" for_each"] = err
				continue
			}
			b.instances = forEachInstances(v)
			progress = true
		}
		for name, e := range localExprs {
			if _, done := m.locals[name]; done {
				continue
			}
			v, err := m.evalExpr(e, nil)
			if err != nil || !v.IsWhollyKnown() {
				lastErr["local."+name] = err
				continue
			}
			m.locals[name] = v
			progress = true
		}
	}
	m.base = nil
	var missing []string
	for name := range localExprs {
		if _, ok := m.locals[name]; !ok {
			missing = append(missing, fmt.Sprintf("local.%s: %v", name, lastErr["local."+name]))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("locals that do not evaluate at plan time:\n%s", strings.Join(missing, "\n"))
	}
	return m
}

// collectAttrNames records the attribute names read from references in body.
func (m *tfModule) collectAttrNames(body *hclsyntax.Body) {
	add := func(tr hcl.Traversal) {
		for _, step := range tr {
			if a, ok := step.(hcl.TraverseAttr); ok {
				m.attrNames[a.Name] = true
			}
		}
	}
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			add(e.Traversal)
		case *hclsyntax.RelativeTraversalExpr:
			add(e.Traversal)
		}
		return nil
	})
}

// variableValue is the default of a variable block, or a placeholder of its type.
func variableValue(t *testing.T, b *hclsyntax.Block) cty.Value {
	name := b.Labels[0]
	if a, ok := b.Body.Attributes["default"]; ok {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("variable %s default: %s", name, diags.Error())
		}
		if ta, ok := b.Body.Attributes["type"]; ok {
			ty, diags := typeexpr.TypeConstraint(ta.Expr)
			if diags.HasErrors() {
				t.Fatalf("variable %s type: %s", name, diags.Error())
			}
			cv, err := convert.Convert(v, ty)
			if err != nil {
				t.Fatalf("variable %s: default does not match its type: %v", name, err)
			}
			return cv
		}
		return v
	}
	ta, ok := b.Body.Attributes["type"]
	if !ok {
		t.Fatalf("variable %s has neither default nor type", name)
	}
	ty, diags := typeexpr.TypeConstraint(ta.Expr)
	if diags.HasErrors() {
		t.Fatalf("variable %s type: %s", name, diags.Error())
	}
	ph := "var-" + strings.ReplaceAll(name, "_", "-")
	switch {
	case ty == cty.String:
		return cty.StringVal(ph)
	case ty.IsListType() && ty.ElementType() == cty.String:
		return cty.ListVal([]cty.Value{cty.StringVal(ph + "-a"), cty.StringVal(ph + "-b")})
	}
	t.Fatalf("variable %s: no placeholder for type %s", name, ty.FriendlyName())
	return cty.NilVal
}

func forEachInstances(v cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	ty := v.Type()
	switch {
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out[e.AsString()] = e
		}
	default:
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = e
		}
	}
	return out
}

// placeholder returns the value standing for attribute attr of instance in.
func (m *tfModule) placeholder(in tfInstance, attr string) cty.Value {
	ref := in.address() + "." + attr
	s := strings.NewReplacer("_", "-", `["`, ".", `"]`, "", " ", "-").Replace(strings.ToLower(ref))
	m.placeholders[s] = ref
	return cty.StringVal(s)
}

// Reference returns the reference a placeholder stands for, or "" when s is none.
func (m *tfModule) Reference(s string) string { return m.placeholders[s] }

// evalContext is the context of an expression in instance in (nil: module level).
func (m *tfModule) evalContext(in *tfInstance) *hcl.EvalContext {
	if m.base == nil {
		m.base = m.buildBase()
	}
	vars := make(map[string]cty.Value, len(m.base)+1)
	for k, v := range m.base {
		vars[k] = v
	}
	if in != nil && in.block.forEach != nil {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(in.key), "value": in.block.instances[in.key]})
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

func (m *tfModule) buildBase() map[string]cty.Value {
	objOrEmpty := func(vals map[string]cty.Value) cty.Value {
		if len(vals) == 0 {
			return cty.EmptyObjectVal
		}
		return cty.ObjectVal(vals)
	}
	types := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for _, b := range m.blocks {
		var v cty.Value
		if b.instances == nil {
			v = cty.DynamicVal
		} else {
			inst := map[string]cty.Value{}
			for key := range b.instances {
				attrs := map[string]cty.Value{}
				for a := range m.attrNames {
					attrs[a] = m.placeholder(tfInstance{block: b, key: key}, a)
				}
				inst[key] = cty.ObjectVal(attrs)
			}
			if b.forEach == nil {
				v = inst[""]
			} else {
				v = objOrEmpty(inst)
			}
		}
		target := types
		if b.mode == "data" {
			target = data
		}
		if target[b.typ] == nil {
			target[b.typ] = map[string]cty.Value{}
		}
		target[b.typ][b.name] = v
	}
	vars := map[string]cty.Value{"var": objOrEmpty(m.vars), "local": objOrEmpty(m.locals)}
	for typ, byName := range types {
		vars[typ] = objOrEmpty(byName)
	}
	dataVals := map[string]cty.Value{}
	for typ, byName := range data {
		dataVals[typ] = objOrEmpty(byName)
	}
	vars["data"] = objOrEmpty(dataVals)
	return vars
}

func (m *tfModule) evalExpr(e hcl.Expression, in *tfInstance) (cty.Value, error) {
	v, diags := e.Value(m.evalContext(in))
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return v, nil
}

// block returns the resource (or "data.TYPE") block typ.name.
func (m *tfModule) block(t *testing.T, typ, name string) *tfBlock {
	t.Helper()
	mode := "resource"
	if strings.HasPrefix(typ, "data.") {
		mode, typ = "data", strings.TrimPrefix(typ, "data.")
	}
	for _, b := range m.blocks {
		if b.mode == mode && b.typ == typ && b.name == name {
			return b
		}
	}
	t.Fatalf("no %s %s.%s in %s", mode, typ, name, m.dir)
	return nil
}

// blocksOfType returns the resource blocks of type typ.
func (m *tfModule) blocksOfType(typ string) []*tfBlock {
	var out []*tfBlock
	for _, b := range m.blocks {
		if b.mode == "resource" && b.typ == typ {
			out = append(out, b)
		}
	}
	return out
}

// instances returns the instances of b, sorted by key.
func (m *tfModule) instances(t *testing.T, b *tfBlock) []tfInstance {
	t.Helper()
	if b.instances == nil {
		t.Fatalf("%s.%s: for_each does not evaluate at plan time", b.typ, b.name)
	}
	var out []tfInstance
	for k := range b.instances {
		out = append(out, tfInstance{block: b, key: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// attr evaluates attribute name of instance in; ok is false when the attribute is absent.
func (m *tfModule) attr(t *testing.T, in tfInstance, name string) (cty.Value, bool) {
	t.Helper()
	a, ok := in.block.body.Attributes[name]
	if !ok {
		return cty.NilVal, false
	}
	v, err := m.evalExpr(a.Expr, &in)
	if err != nil {
		t.Fatalf("%s.%s: %v", in.address(), name, err)
	}
	return v, true
}

// mustAttr is attr for an attribute that must be there.
func (m *tfModule) mustAttr(t *testing.T, in tfInstance, name string) cty.Value {
	t.Helper()
	v, ok := m.attr(t, in, name)
	if !ok {
		t.Fatalf("%s has no %s", in.address(), name)
	}
	return v
}

// str evaluates a string attribute.
func (m *tfModule) str(t *testing.T, in tfInstance, name string) string {
	t.Helper()
	v := m.mustAttr(t, in, name)
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() || !s.IsKnown() {
		t.Fatalf("%s.%s is not a known string: %#v", in.address(), name, v)
	}
	return s.AsString()
}
