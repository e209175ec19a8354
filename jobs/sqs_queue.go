package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// SQSAPI is the part of the SQS client the driver uses; *sqs.Client implements it.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// SQSQueueConfig configures an SQSQueue. Zero values mean the documented defaults.
type SQSQueueConfig struct {
	// Name is the logical queue name (optimization, files, capacity); required.
	Name string
	// QueueName is the SQS queue name; empty means "networx-<Name>", with ".fifo" appended
	// for a FIFO queue.
	QueueName string
	// DeadLetterQueueName names the dead-letter queue; empty means the one named by the
	// queue's redrive policy, else "<QueueName without .fifo>-dlq" (plus ".fifo").
	DeadLetterQueueName string
	// FIFO selects a FIFO queue: MessageGroupId is the send group (the tenant) and
	// MessageDeduplicationId the job id.
	FIFO bool
	// MaxReceives is the redrive policy's maxReceiveCount when the queue is created here;
	// zero means DefaultMaxReceives.
	MaxReceives int
	// Create creates the queue and its dead-letter queue when missing (local use; in
	// production the infrastructure creates them).
	Create bool
}

func (c SQSQueueConfig) queueName() string {
	if c.QueueName != "" {
		return c.QueueName
	}
	n := "networx-" + c.Name
	if c.FIFO {
		n += ".fifo"
	}
	return n
}

func (c SQSQueueConfig) dlqName() string {
	if c.DeadLetterQueueName != "" {
		return c.DeadLetterQueueName
	}
	n := strings.TrimSuffix(c.queueName(), ".fifo") + "-dlq"
	if c.FIFO {
		n += ".fifo"
	}
	return n
}

// Validate reports configuration errors.
func (c SQSQueueConfig) Validate() error {
	var errs []error
	if !validID(c.Name) {
		errs = append(errs, fmt.Errorf("sqs queue: invalid name %q", c.Name))
	}
	if c.FIFO != strings.HasSuffix(c.queueName(), ".fifo") {
		errs = append(errs, fmt.Errorf("sqs queue %s: a FIFO queue name ends in .fifo and only a FIFO queue's does", c.queueName()))
	}
	if c.FIFO != strings.HasSuffix(c.dlqName(), ".fifo") {
		errs = append(errs, fmt.Errorf("sqs queue %s: dead-letter queue %s must be of the same type", c.queueName(), c.dlqName()))
	}
	if c.MaxReceives < 0 || c.MaxReceives > 1000 {
		errs = append(errs, fmt.Errorf("sqs queue %s: max receives %d outside 0-1000", c.queueName(), c.MaxReceives))
	}
	return errors.Join(errs...)
}

// SQSQueue is the SQS queue driver. The lease is the visibility timeout: Extend is
// ChangeMessageVisibility, whose failure (MessageNotInflight, invalid receipt) is the only
// reliable sign of a lost lease, since a stale DeleteMessage silently succeeds.
type SQSQueue struct {
	api    SQSAPI
	cfg    SQSQueueConfig
	url    string
	dlqURL string
}

var _ Queue = (*SQSQueue)(nil)

// NewSQSQueue resolves (and with cfg.Create creates) the queue and its dead-letter queue.
func NewSQSQueue(ctx context.Context, api SQSAPI, cfg SQSQueueConfig) (*SQSQueue, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxReceives == 0 {
		cfg.MaxReceives = DefaultMaxReceives
	}
	q := &SQSQueue{api: api, cfg: cfg}
	url, err := q.lookup(ctx, cfg.queueName())
	switch {
	case err == nil:
		q.url = url
		if q.dlqURL, err = q.resolveDLQ(ctx); err != nil {
			return nil, err
		}
	case errors.Is(err, errNoQueue) && cfg.Create:
		if err := q.create(ctx); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("open sqs queue %s: %w", cfg.queueName(), err)
	}
	return q, nil
}

var errNoQueue = errors.New("queue does not exist")

func (q *SQSQueue) lookup(ctx context.Context, name string) (string, error) {
	out, err := q.api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		var nx *types.QueueDoesNotExist
		var ae smithy.APIError
		if errors.As(err, &nx) || (errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "NonExistentQueue")) {
			return "", errNoQueue
		}
		return "", err
	}
	return aws.ToString(out.QueueUrl), nil
}

func (q *SQSQueue) resolveDLQ(ctx context.Context) (string, error) {
	name := q.cfg.DeadLetterQueueName
	if name == "" {
		out, err := q.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q.url,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy}})
		if err != nil {
			return "", fmt.Errorf("read redrive policy of %s: %w", q.cfg.queueName(), err)
		}
		var rp struct {
			Target string `json:"deadLetterTargetArn"`
		}
		if s := out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]; s != "" {
			if err := json.Unmarshal([]byte(s), &rp); err != nil {
				return "", fmt.Errorf("parse redrive policy of %s: %w", q.cfg.queueName(), err)
			}
			name = rp.Target[strings.LastIndexByte(rp.Target, ':')+1:]
		}
	}
	if name == "" {
		name = q.cfg.dlqName()
	}
	url, err := q.lookup(ctx, name)
	if err != nil {
		return "", fmt.Errorf("open dead-letter queue %s: %w", name, err)
	}
	return url, nil
}

func (q *SQSQueue) create(ctx context.Context) error {
	attrs := map[string]string{
		// Dead letters keep their original enqueue time, so they get the longest retention.
		string(types.QueueAttributeNameMessageRetentionPeriod): "1209600",
	}
	if q.cfg.FIFO {
		attrs[string(types.QueueAttributeNameFifoQueue)] = "true"
	}
	dlq, err := q.api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.cfg.dlqName()), Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create dead-letter queue %s: %w", q.cfg.dlqName(), err)
	}
	q.dlqURL = aws.ToString(dlq.QueueUrl)
	out, err := q.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("read arn of %s: %w", q.cfg.dlqName(), err)
	}
	policy, err := json.Marshal(map[string]string{
		"deadLetterTargetArn": out.Attributes[string(types.QueueAttributeNameQueueArn)],
		"maxReceiveCount":     strconv.Itoa(q.cfg.MaxReceives),
	})
	if err != nil {
		return err
	}
	attrs = map[string]string{
		string(types.QueueAttributeNameRedrivePolicy):          string(policy),
		string(types.QueueAttributeNameVisibilityTimeout):      "30",
		string(types.QueueAttributeNameMessageRetentionPeriod): "345600",
	}
	if q.cfg.FIFO {
		attrs[string(types.QueueAttributeNameFifoQueue)] = "true"
	}
	main, err := q.api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.cfg.queueName()), Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create queue %s: %w", q.cfg.queueName(), err)
	}
	q.url = aws.ToString(main.QueueUrl)
	return nil
}

// Name returns the logical queue name.
func (q *SQSQueue) Name() string { return q.cfg.Name }

// FIFO reports whether the queue is FIFO.
func (q *SQSQueue) FIFO() bool { return q.cfg.FIFO }

// seconds rounds d up to whole seconds, as SQS counts them.
func seconds(d time.Duration) int32 {
	if d <= 0 {
		return 0
	}
	return int32(math.Ceil(d.Seconds()))
}

// Send enqueues a message.
func (q *SQSQueue) Send(ctx context.Context, in SendInput) (string, error) {
	body, err := in.Body.encode()
	if err != nil {
		return "", fmt.Errorf("send to %s: %w", q.cfg.Name, err)
	}
	req := &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: &body}
	if q.cfg.FIFO {
		g := in.Group
		if g == "" {
			g = "default"
		}
		req.MessageGroupId = &g
		req.MessageDeduplicationId = aws.String(in.Body.JobID)
	}
	out, err := q.api.SendMessage(ctx, req)
	if err != nil {
		return "", fmt.Errorf("send to %s: %w", q.cfg.Name, err)
	}
	return aws.ToString(out.MessageId), nil
}

// Receive long-polls for messages.
func (q *SQSQueue) Receive(ctx context.Context, opts ReceiveOptions) ([]*Message, error) {
	opts = opts.withDefaults()
	out, err := q.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            &q.url,
		MaxNumberOfMessages: int32(opts.Max),
		WaitTimeSeconds:     seconds(opts.Wait),
		VisibilityTimeout:   max(seconds(opts.Visibility), 1),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{
			types.MessageSystemAttributeNameApproximateReceiveCount,
			types.MessageSystemAttributeNameSentTimestamp,
			types.MessageSystemAttributeNameMessageGroupId,
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, fmt.Errorf("receive from %s: %w", q.cfg.Name, err)
	}
	msgs := make([]*Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		body, err := decodeBody(aws.ToString(m.Body))
		if err != nil {
			return nil, fmt.Errorf("receive from %s: message %s: %w", q.cfg.Name, aws.ToString(m.MessageId), err)
		}
		rc, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		sent, _ := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
		msgs = append(msgs, &Message{
			ID: aws.ToString(m.MessageId), Receipt: aws.ToString(m.ReceiptHandle), Body: body,
			Group:        m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)],
			ReceiveCount: rc, SentAt: time.UnixMilli(sent).UTC(),
		})
	}
	return msgs, nil
}

// leaseError maps SQS's answers to a stale receipt handle to ErrMessageLeaseLost.
func leaseError(err error) error {
	var ni *types.MessageNotInflight
	var inv *types.ReceiptHandleIsInvalid
	var ae smithy.APIError
	if errors.As(err, &ni) || errors.As(err, &inv) ||
		(errors.As(err, &ae) && (strings.Contains(ae.ErrorCode(), "MessageNotInflight") ||
			strings.Contains(strings.ToLower(ae.ErrorMessage()), "receipt handle"))) {
		return fmt.Errorf("%w: %v", ErrMessageLeaseLost, err)
	}
	return err
}

// Extend resets the visibility timeout of m to d from now.
func (q *SQSQueue) Extend(ctx context.Context, m *Message, d time.Duration) error {
	_, err := q.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &q.url, ReceiptHandle: &m.Receipt, VisibilityTimeout: max(seconds(d), 1),
	})
	if err != nil {
		return fmt.Errorf("extend message %s on %s: %w", m.ID, q.cfg.Name, leaseError(err))
	}
	return nil
}

// Delete acknowledges m.
func (q *SQSQueue) Delete(ctx context.Context, m *Message) error {
	_, err := q.api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q.url, ReceiptHandle: &m.Receipt})
	if err != nil {
		if errors.Is(leaseError(err), ErrMessageLeaseLost) {
			return nil // stale receipt: nothing to delete, as the interface promises
		}
		return fmt.Errorf("delete message %s on %s: %w", m.ID, q.cfg.Name, err)
	}
	return nil
}

// Release makes m visible again after delay.
func (q *SQSQueue) Release(ctx context.Context, m *Message, delay time.Duration) error {
	_, err := q.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &q.url, ReceiptHandle: &m.Receipt, VisibilityTimeout: seconds(delay),
	})
	if err != nil {
		return fmt.Errorf("release message %s on %s: %w", m.ID, q.cfg.Name, leaseError(err))
	}
	return nil
}

// DeadLetter copies m to the dead-letter queue and deletes it. The lease is checked first
// (a stale DeleteMessage would silently leave the original in place).
func (q *SQSQueue) DeadLetter(ctx context.Context, m *Message, reason string) error {
	if err := q.Extend(ctx, m, time.Minute); err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	body, err := m.Body.encode()
	if err != nil {
		return fmt.Errorf("dead-letter message %s: %w", m.ID, err)
	}
	req := &sqs.SendMessageInput{QueueUrl: &q.dlqURL, MessageBody: &body,
		MessageAttributes: map[string]types.MessageAttributeValue{
			"reason":        {DataType: aws.String("String"), StringValue: aws.String(reason)},
			"receive_count": {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(m.ReceiveCount))},
		}}
	if q.cfg.FIFO {
		g := m.Group
		if g == "" {
			g = "default"
		}
		req.MessageGroupId = &g
		req.MessageDeduplicationId = aws.String(m.ID)
	}
	if _, err := q.api.SendMessage(ctx, req); err != nil {
		return fmt.Errorf("dead-letter message %s on %s: %w", m.ID, q.cfg.Name, err)
	}
	return q.Delete(ctx, m)
}

func (q *SQSQueue) attrs(ctx context.Context, url string, names ...types.QueueAttributeName) (map[string]int64, error) {
	out, err := q.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: names})
	if err != nil {
		return nil, err
	}
	res := make(map[string]int64, len(names))
	for _, n := range names {
		v, _ := strconv.ParseInt(out.Attributes[string(n)], 10, 64)
		res[string(n)] = v
	}
	return res, nil
}

// Stats returns SQS's approximate counts. The age of the oldest message is only available
// from CloudWatch, so HasOldestAge is false.
func (q *SQSQueue) Stats(ctx context.Context) (QueueStats, error) {
	a, err := q.attrs(ctx, q.url, types.QueueAttributeNameApproximateNumberOfMessages,
		types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		types.QueueAttributeNameApproximateNumberOfMessagesDelayed)
	if err != nil {
		return QueueStats{}, fmt.Errorf("stats of %s: %w", q.cfg.Name, err)
	}
	d, err := q.attrs(ctx, q.dlqURL, types.QueueAttributeNameApproximateNumberOfMessages)
	if err != nil {
		return QueueStats{}, fmt.Errorf("stats of %s dead letters: %w", q.cfg.Name, err)
	}
	return QueueStats{
		Visible:  a[string(types.QueueAttributeNameApproximateNumberOfMessages)],
		InFlight: a[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)],
		Delayed:  a[string(types.QueueAttributeNameApproximateNumberOfMessagesDelayed)],
		Dead:     d[string(types.QueueAttributeNameApproximateNumberOfMessages)],
	}, nil
}
