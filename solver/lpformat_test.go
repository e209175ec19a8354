package solver_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"networx/solver"
)

func TestReadLP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want *solver.Model
	}{
		{
			name: "sections and operators",
			text: `\ Problem name: demo
MAXIMIZE
 profit: 3 x + 2y - z
   + 4 w + 10
Subject To
 c1: x + y <= 4
 c2: 2 + x + 3 y >= 3
 c3: x - z = 0
 -x + w =< 5
 c5: x + y + x => 1
 c6: y < 2
 c7: w > -1
 r1: -5 <= x + w <= 10
 r2: 7 >= y + z >= -2
 r3: 3 <= z
Bounds
 x <= 5
 -inf <= y <= inf
 z free
 w = 3
 2 <= v <= 6
 u >= -1
 9 >= t
General
 x
Binaries
 b
End
`,
			want: &solver.Model{
				Name: "demo", Sense: solver.Maximize, ObjName: "profit", ObjOffset: 10,
				Cols: []solver.Column{
					{Name: "x", Obj: 3, Lo: 0, Hi: 5, Integer: true},
					{Name: "y", Obj: 2, Lo: -inf, Hi: inf},
					{Name: "z", Obj: -1, Lo: -inf, Hi: inf},
					{Name: "w", Obj: 4, Lo: 3, Hi: 3},
					{Name: "v", Lo: 2, Hi: 6},
					{Name: "u", Lo: -1, Hi: inf},
					{Name: "t", Lo: 0, Hi: 9},
					{Name: "b", Lo: 0, Hi: 1, Integer: true},
				},
				Rows: []solver.Row{
					{Name: "c1", Lo: -inf, Hi: 4, Ind: []int{0, 1}, Val: []float64{1, 1}},
					{Name: "c2", Lo: 1, Hi: inf, Ind: []int{0, 1}, Val: []float64{1, 3}},
					{Name: "c3", Lo: 0, Hi: 0, Ind: []int{0, 2}, Val: []float64{1, -1}},
					{Name: "", Lo: -inf, Hi: 5, Ind: []int{0, 3}, Val: []float64{-1, 1}},
					{Name: "c5", Lo: 1, Hi: inf, Ind: []int{0, 1}, Val: []float64{2, 1}},
					{Name: "c6", Lo: -inf, Hi: 2, Ind: []int{1}, Val: []float64{1}},
					{Name: "c7", Lo: -1, Hi: inf, Ind: []int{3}, Val: []float64{1}},
					{Name: "r1", Lo: -5, Hi: 10, Ind: []int{0, 3}, Val: []float64{1, 1}},
					{Name: "r2", Lo: -2, Hi: 7, Ind: []int{1, 2}, Val: []float64{1, 1}},
					{Name: "r3", Lo: 3, Hi: inf, Ind: []int{2}, Val: []float64{1}},
				},
			},
		},
		{
			name: "short keywords, lazy rows and terms across lines",
			text: `min
obj:
 2 a
 + 3 b
st
 k: - a
  - - b >= -1e31
lazy constraints
 l1: a + b <= 1
bound
 a <= 1e30
gen
 b
bin
 c
end
ignored after the end [ ^
`,
			want: &solver.Model{
				ObjName: "obj",
				Cols: []solver.Column{
					{Name: "a", Obj: 2, Lo: 0, Hi: inf},
					{Name: "b", Obj: 3, Lo: 0, Hi: inf, Integer: true},
					{Name: "c", Lo: 0, Hi: 1, Integer: true},
				},
				Rows: []solver.Row{
					{Name: "k", Lo: -inf, Hi: inf, Ind: []int{0, 1}, Val: []float64{-1, 1}},
					{Name: "l1", Lo: -inf, Hi: 1, Ind: []int{0, 1}, Val: []float64{1, 1}, Lazy: true},
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := solver.ReadLP(strings.NewReader(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if d := diffModels(got, tc.want, true); d != "" {
				t.Fatalf("model differs: %s", d)
			}
		})
	}
}

func TestReadLPErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "lp: expected minimize or maximize at the start, got end of file"},
		{"no objective", "\\ c\nsubject to\n x >= 1\nend\n", `lp line 2: expected minimize or maximize at the start, got name "subject"`},
		{"missing end", "min\n x\nst\n x >= 1\n", "lp line 4: missing End"},
		{"rhs with constant", "min\n x\nst\n c2: x + 3 y + 2 >= 2 + 1\nend\n", "lp line 5: expected <=, >= or =, got name \"end\""},
		{"no operator", "min\n x\nst\n c: x + y 4\nend\n", "lp line 4: expected <=, >= or =, got number 4"},
		{"variable on the right", "min\n x\nst\n c: x >= 2 y\nend\n", "lp line 4: variable y after the right-hand side"},
		{"no rhs", "min\n x\nst\n c: x >=\nend\n", `lp line 5: expected a number as right-hand side, got name "end"`},
		{"dangling sign", "min\n x +\nst\n x >= 1\nend\n", "lp line 3: expected a term after the sign"},
		{"no variables", "min\n x\nst\n c: 3 >= 2\nend\n", "lp line 4: constraint c has no variables"},
		{"mixed range", "min\n x\nst\n c: 1 <= x >= 2\nend\n", "lp line 4: ranged constraint c needs <= twice or >= twice"},
		{"empty range", "min\n x\nst\n c: 3 <= x <= 2\nend\n", "lp line 4: constraint c has the empty range [3, 2]"},
		{"duplicate name", "min\n x\nst\n c: x >= 1\n c: x <= 2\nend\n", "lp line 5: constraint name c used twice"},
		{"infinite coefficient", "min\n 1e999 x\nst\nend\n", "lp line 2: coefficient of x is not finite"},
		{"quadratic", "min\n x + [ x ^ 2 ]\nend\n", "lp line 2: quadratic terms are not supported"},
		{"bad character", "min\n x\nst\n c: x # 2\nend\n", "lp line 4: expected <=, >= or =, got name \"#\""},
		{"bad operator", "min\n x\nst\n c: x <> 2\nend\n", `lp line 4: unknown operator "<>"`},
		{"bad number", "min\n 1.2.3 x\nend\n", `lp line 2: bad number "1.2.3"`},
		{"semi", "min\n x\nsemi-continuous\n x\nend\n", `lp line 3: section "semi" is not supported`},
		{"sos", "min\n x\nSOS\nend\n", `lp line 3: section "SOS" is not supported`},
		{"second objective", "min\n x\nmax\n x\nend\n", "lp line 3: second objective section"},
		{"empty bounds", "min\n x\nbounds\n x >= 3\n x <= 2\nend\n", "lp line 5: bounds [3, 2] of x are empty"},
		{"negative upper bound", "min\n x\nbounds\n x <= -1\nend\n", "lp line 4: bounds [0, -1] of x are empty"},
		{"infinite lower bound", "min\n x\nbounds\n x >= inf\nend\n", "lp line 4: bounds [+Inf, +Inf] of x"},
		{"bound without variable", "min\n x\nbounds\n 3 <= 4\nend\n", "lp line 4: expected a variable name in bounds, got number 4"},
		{"mixed double bound", "min\n x\nbounds\n 3 <= x >= 4\nend\n", "lp line 4: double bound on x needs <= twice or >= twice"},
		{"number in generals", "min\n x\ngenerals\n x 3\nend\n", "lp line 4: expected a variable name, got number 3"},
		{"unexpected in objective", "min\n x = 3\nend\n", `lp line 2: unexpected "=" in the objective`},
		{"lex error after a parse error", "min\n x\nst\n c: x >= 1 y\n <> \nend\n", "lp line 4: variable y after the right-hand side"},
		{"lex error first", "min\n x\nst\n x >=\n <> \nend\n", `lp line 5: unknown operator "<>"`},
		{"long line", "min\n" + strings.Repeat("x", 70<<20), "lp line 2: line longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := solver.ReadLP(strings.NewReader(tc.text))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			var pe *solver.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
		})
	}
}

// FuzzReadLP checks that ReadLP never panics, that what it accepts validates, and that it
// survives WriteLP and ReadLP exactly.
func FuzzReadLP(f *testing.F) {
	seedCorpus(f, "lp")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := solver.ReadLP(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted model does not validate: %v", err)
		}
		var buf bytes.Buffer
		if err := solver.WriteLP(&buf, m); err != nil {
			t.Fatalf("write: %v", err)
		}
		text := buf.String()
		got, err := solver.ReadLP(&buf)
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, text)
		}
		if d := diffModels(got, m, namesKept(m, solver.CleanLPName)); d != "" {
			t.Fatalf("round trip differs: %s\n%s", d, text)
		}
	})
}
