data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role pulls the image, writes logs and reads the two secrets the tasks get
# as environment variables; nothing else.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "execution_secrets" {
  name = "secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = values(local.secrets)
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.main.arn]
      },
    ]
  })
}

locals {
  # What each role may touch. serve enqueues on every queue (and opens their dead-letter
  # queues, as the driver resolves them); a worker consumes its own queue and sends to its
  # own dead-letter queue. Every role reads and writes the blob store (uploads, where
  # results are written too); serve only reads exported results, the workers write them.
  access = {
    for k, r in local.roles : k => {
      send     = k == "serve" ? keys(local.queues) : []
      consume  = r.queue == "" ? [] : [r.queue]
      dead     = k == "serve" ? keys(local.queues) : (r.queue == "" ? [] : [r.queue])
      buckets  = k == "migrate" ? [] : ["uploads", "results"]
      readonly = k == "serve" ? ["results"] : []
    }
  }

  task_statements = {
    for k, a in local.access : k => concat(
      length(a.send) == 0 ? [] : [{
        Sid      = "SendJobs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
        Resource = [for q in a.send : aws_sqs_queue.main[q].arn]
      }],
      length(a.consume) == 0 ? [] : [{
        Sid      = "ConsumeJobs"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
        Resource = [for q in a.consume : aws_sqs_queue.main[q].arn]
      }],
      length(a.dead) == 0 ? [] : [{
        Sid      = "DeadLetters"
        Effect   = "Allow"
        Action   = k == "serve" ? ["sqs:GetQueueUrl", "sqs:GetQueueAttributes"] : ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
        Resource = [for q in a.dead : aws_sqs_queue.dead[q].arn]
      }],
      length(a.buckets) == 0 ? [] : [{
        Sid      = "ListBlobs"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [for b in a.buckets : aws_s3_bucket.data[b].arn]
      }],
      length(a.buckets) == 0 ? [] : [{
        Sid      = "ReadBlobs"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for b in a.buckets : "${aws_s3_bucket.data[b].arn}/*"]
      }],
      length(setsubtract(a.buckets, a.readonly)) == 0 ? [] : [{
        Sid      = "WriteBlobs"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
        Resource = [for b in setsubtract(a.buckets, a.readonly) : "${aws_s3_bucket.data[b].arn}/*"]
      }],
      length(a.send) + length(a.consume) + length(a.buckets) == 0 ? [] : [{
        Sid      = "EncryptedData"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [aws_kms_key.main.arn]
      }],
    )
  }
}

resource "aws_iam_role" "task" {
  for_each           = local.roles
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = { for k, s in local.task_statements : k => s if length(s) > 0 }
  name     = "networx"
  role     = aws_iam_role.task[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = each.value
  })
}

resource "aws_iam_role" "db_proxy" {
  name = "${var.name}-db-proxy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "db_proxy" {
  name = "secret"
  role = aws_iam_role.db_proxy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [aws_secretsmanager_secret.db_credentials.arn]
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.main.arn]
      },
    ]
  })
}
