package files

import (
	"context"
	"fmt"

	"networx/storage"
)

// LearnedMappings returns the tenant's remembered header mappings
// (mapping_memory): by kind, the normalized header text and the field it
// was loaded as. Options.Learned serves them to the mapping step, where a
// remembered header maps with confidence 1 and source "learned".
func (l *Loader) LearnedMappings(ctx context.Context, tenant string) (map[Kind]map[string]string, error) {
	out := map[Kind]map[string]string{}
	err := l.db.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		clear(out)
		rows, err := q.Query(ctx, `select kind, header, field from mapping_memory where tenant = $1`, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var kind, header, field string
			if err := rows.Scan(&kind, &header, &field); err != nil {
				return err
			}
			k := Kind(kind)
			if out[k] == nil {
				out[k] = map[string]string{}
			}
			out[k][header] = field
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read mapping memory of tenant %s: %w", tenant, err)
	}
	return out, nil
}

// rememberMappings stores the header mappings a passing load used: each
// mapped column's normalized header and field, except headers that are the
// canonical field name (they need no memory). A header remembered with
// the same field counts one more confirmation; with another field it is
// replaced and counts one.
func rememberMappings(ctx context.Context, q storage.Querier, tenant string, rep *Report) error {
	type key struct {
		kind   Kind
		header string
	}
	seen := map[key]bool{} // a header confirms once per load, however many sheets have it
	for _, s := range rep.Sheets {
		if s.Kind == "" || s.Error != nil || s.Skipped != "" || s.RowsAccepted == 0 {
			continue
		}
		for _, m := range s.Mapping {
			if m.Field == "" || m.Source == SourceCanonical {
				continue
			}
			h := normalizeHeader(m.Header)
			if h == "" || seen[key{s.Kind, h}] {
				continue
			}
			seen[key{s.Kind, h}] = true
			if _, err := q.Exec(ctx, `insert into mapping_memory (tenant, kind, header, field) values ($1, $2, $3, $4)
				on conflict (tenant, kind, header) do update set
					confirmed = case when mapping_memory.field = excluded.field then mapping_memory.confirmed + 1 else 1 end,
					field = excluded.field, updated_at = now()`,
				tenant, string(s.Kind), h, m.Field); err != nil {
				return fmt.Errorf("remember mapping %q -> %s of sheet %q: %w", m.Header, m.Field, s.Name, err)
			}
		}
	}
	return nil
}
