package solver

import "slices"

// PortableConstantName names the column that carries the objective constant in a Portable
// model.
const PortableConstantName = "OBJ_CONSTANT"

// Portable returns a copy of m that other solvers read as the same problem from an MPS
// file: its lazy rows are ordinary rows (cbc and glpsol do not read a LAZYCONS section),
// and a non-zero ObjOffset becomes a column fixed at 1 with that objective coefficient
// (cbc and glpsol read the objective row's RHS with opposite signs). The objective value of every
// solution is unchanged. m is not modified; rows share their index and value slices.
func (m *Model) Portable() *Model {
	p := *m
	p.Rows = slices.Clone(m.Rows)
	for i := range p.Rows {
		p.Rows[i].Lazy = false
	}
	if m.ObjOffset != 0 {
		p.Cols = append(slices.Clip(slices.Clone(m.Cols)), Column{Name: PortableConstantName, Obj: m.ObjOffset, Lo: 1, Hi: 1})
		p.ObjOffset = 0
	}
	return &p
}
