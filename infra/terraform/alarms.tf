# Every alarm goes to one SNS topic whose subscribers are var.alarm_subscriptions. Each
# alarm name has a section of the same name in docs/operations.md (checked by
# infra/infra_test.go): what it means and what to do.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.main.arn
  tags              = local.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each  = { for i, s in var.alarm_subscriptions : tostring(i) => s }
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
}

# The API.

resource "aws_cloudwatch_metric_alarm" "serve_5xx_rate" {
  alarm_name          = "${var.name}-serve-5xx-rate"
  alarm_description   = "More than ${var.alarm_5xx_rate * 100}% of API requests answered 5xx (by serve or the load balancer) for 10 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_rate
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests"
    label       = "5xx rate"
    return_data = true
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 300
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }

  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 300
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 300
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "serve_p99_latency" {
  alarm_name          = "${var.name}-serve-p99-latency"
  alarm_description   = "p99 API response time above ${var.alarm_p99_latency_seconds} s for 15 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  dimensions          = { LoadBalancer = aws_lb.main.arn_suffix, TargetGroup = aws_lb_target_group.serve.arn_suffix }
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_p99_latency_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "serve_no_healthy_tasks" {
  alarm_name          = "${var.name}-serve-no-healthy-tasks"
  alarm_description   = "No serve task passes the /api/health check: the API is down."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  statistic           = "Minimum"
  dimensions          = { LoadBalancer = aws_lb.main.arn_suffix, TargetGroup = aws_lb_target_group.serve.arn_suffix }
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

# The queues.

resource "aws_cloudwatch_metric_alarm" "queue_oldest_message_age" {
  for_each            = local.queues
  alarm_name          = "${var.name}-${each.key}-oldest-message-age"
  alarm_description   = "The oldest message on ${local.queue_names[each.key]} waited more than ${var.alarm_oldest_message_age_seconds[each.key]} s: the ${each.key} workers are not keeping up or not running."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  dimensions          = { QueueName = aws_sqs_queue.main[each.key].name }
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_oldest_message_age_seconds[each.key]
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each            = local.queues
  alarm_name          = "${var.name}-${each.key}-dlq-not-empty"
  alarm_description   = "Messages are waiting on ${local.dlq_names[each.key]}: jobs failed for good or crashed their worker repeatedly."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  dimensions          = { QueueName = aws_sqs_queue.dead[each.key].name }
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

# PostgreSQL.

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  alarm_name          = "${var.name}-db-cpu"
  alarm_description   = "RDS primary CPU above 80% for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.main.identifier }
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "db_connections" {
  alarm_name          = "${var.name}-db-connections"
  alarm_description   = "More than ${var.alarm_db_connections} connections on the RDS primary for 10 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  statistic           = "Maximum"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.main.identifier }
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_db_connections
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${var.name}-db-free-storage"
  alarm_description   = "Less than ${var.alarm_db_free_storage_bytes / 1073741824} GiB free on the RDS primary."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.main.identifier }
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.alarm_db_free_storage_bytes
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "db_replica_lag" {
  alarm_name          = "${var.name}-db-replica-lag"
  alarm_description   = "The reports replica is more than 10 minutes behind the primary."
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  statistic           = "Maximum"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.replica.identifier }
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 600
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

# Redis: the worst node of the cluster.

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  alarm_name          = "${var.name}-redis-memory"
  alarm_description   = "A Redis node uses more than 80% of its memory; with noeviction, writes of job state fail when it is full."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  evaluation_periods  = 2
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "worst"
    expression  = "MAX(METRICS(\"m\"))"
    label       = "highest node memory use (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.redis_nodes
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/ElastiCache"
        metric_name = "DatabaseMemoryUsagePercentage"
        period      = 300
        stat        = "Maximum"
        dimensions  = { CacheClusterId = metric_query.value }
      }
    }
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_evictions" {
  alarm_name          = "${var.name}-redis-evictions"
  alarm_description   = "Redis evicted keys: job records may have been lost (the parameter group should say noeviction)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "total"
    expression  = "SUM(METRICS(\"m\"))"
    label       = "evictions on all nodes"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.redis_nodes
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/ElastiCache"
        metric_name = "Evictions"
        period      = 300
        stat        = "Sum"
        dimensions  = { CacheClusterId = metric_query.value }
      }
    }
  }

  tags = local.tags
}

# Tasks that stop on their own (crash, out of memory, failed start) rather than by a
# deployment or scale-in. The events also land in a log group for the reason.

resource "aws_cloudwatch_event_rule" "task_stopped" {
  name        = "${var.name}-task-stopped"
  description = "networx tasks that stopped unexpectedly"
  event_pattern = jsonencode({
    source      = ["aws.ecs"]
    detail-type = ["ECS Task State Change"]
    detail = {
      clusterArn = [aws_ecs_cluster.main.arn]
      lastStatus = ["STOPPED"]
      stopCode   = ["EssentialContainerExited", "TaskFailedToStart"]
    }
  })
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "task_stopped" {
  name              = "/aws/events/${var.name}/task-stopped"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.tags
}

resource "aws_cloudwatch_log_resource_policy" "task_stopped" {
  policy_name = "${var.name}-task-stopped"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["events.amazonaws.com", "delivery.logs.amazonaws.com"] }
      Action    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource  = "${aws_cloudwatch_log_group.task_stopped.arn}:*"
    }]
  })
}

resource "aws_cloudwatch_event_target" "task_stopped" {
  rule = aws_cloudwatch_event_rule.task_stopped.name
  arn  = aws_cloudwatch_log_group.task_stopped.arn
}

resource "aws_cloudwatch_metric_alarm" "task_restarts" {
  alarm_name          = "${var.name}-task-restarts"
  alarm_description   = "More than 3 networx tasks stopped unexpectedly within 15 minutes (crash loop, out of memory, failed start)."
  namespace           = "AWS/Events"
  metric_name         = "MatchedEvents"
  statistic           = "Sum"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.task_stopped.name }
  period              = 900
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}
