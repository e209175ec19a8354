# Dead-letter queues keep a message 14 days (the SQS maximum): a dead letter keeps its
# original enqueue time, and on-call needs time to inspect and redrive it.
resource "aws_sqs_queue" "dead" {
  for_each                          = local.queues
  name                              = local.dlq_names[each.key]
  fifo_queue                        = each.value.fifo
  message_retention_seconds         = 1209600
  kms_master_key_id                 = aws_kms_key.main.arn
  kms_data_key_reuse_period_seconds = 3600
  tags                              = local.tags
}

resource "aws_sqs_queue" "main" {
  for_each                          = local.queues
  name                              = local.queue_names[each.key]
  fifo_queue                        = each.value.fifo
  content_based_deduplication       = false
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  message_retention_seconds         = 345600
  receive_wait_time_seconds         = 10
  kms_master_key_id                 = aws_kms_key.main.arn
  kms_data_key_reuse_period_seconds = 3600

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead[each.key].arn
    maxReceiveCount     = var.max_attempts + local.receive_margin
  })

  tags = local.tags
}

# Only its own queue may send to a dead-letter queue; on-call redrives with
# StartMessageMoveTask (docs/operations.md).
resource "aws_sqs_queue_redrive_allow_policy" "dead" {
  for_each  = local.queues
  queue_url = aws_sqs_queue.dead[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.main[each.key].arn]
  })
}
