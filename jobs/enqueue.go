package jobs

import (
	"context"
	"fmt"
)

// Enqueue creates the record of a new job and sends its message to q (group: the tenant).
// When the send fails the record is removed again, so no job waits for a message that was
// never sent.
func Enqueue(ctx context.Context, s *Store, q Queue, nj NewJob) (*Record, error) {
	if nj.Queue == "" {
		nj.Queue = q.Name()
	}
	if nj.Queue != q.Name() {
		return nil, fmt.Errorf("enqueue %s job: record queue %s differs from queue %s", nj.Kind, nj.Queue, q.Name())
	}
	rec, err := s.Create(ctx, nj)
	if err != nil {
		return nil, err
	}
	if _, err := q.Send(ctx, SendInput{Body: Body{JobID: rec.ID, Kind: rec.Kind}, Group: rec.Tenant}); err != nil {
		s.remove(context.WithoutCancel(ctx), rec.ID)
		return nil, fmt.Errorf("enqueue job %s: %w", rec.ID, err)
	}
	return rec, nil
}

// remove deletes a record that was never enqueued (best effort).
func (s *Store) remove(ctx context.Context, id string) {
	s.rdb.Del(ctx, s.keys.Job(id))
	s.rdb.ZRem(ctx, s.keys.Index(), id)
}
