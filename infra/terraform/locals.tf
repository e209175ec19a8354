locals {
  # The queues of networx (jobs.QueueOptimization, QueueFiles, QueueCapacity); the
  # optimization queue is FIFO (roles/work.FIFO) so one tenant's optimizations run in order.
  queues = {
    optimization = { fifo = true }
    files        = { fifo = false }
    capacity     = { fifo = false }
  }

  queue_names     = { for q, c in local.queues : q => "${var.queue_name_prefix}${q}${c.fifo ? ".fifo" : ""}" }
  dlq_names       = { for q, c in local.queues : q => "${var.queue_name_prefix}${q}-dlq${c.fifo ? ".fifo" : ""}" }
  worker_services = { for q in var.worker_queues : "work-${q}" => q }

  # A worker fails and dead-letters a job itself after max_attempts; the queue's own redrive
  # (maxReceiveCount) is a backstop three receives later, for messages whose worker died
  # before recording anything (roles/work: receiveMargin).
  receive_margin = 3

  serve_port = 8080
  admin_port = 9090

  # Every role is the one networx image with other arguments. cpu and memory are Fargate
  # units (1024 = 1 vCPU, MiB). backlog_per_task is the autoscaling target of visible
  # messages per running worker task.
  roles = {
    serve = {
      command          = ["serve", "--addr", "0.0.0.0:${local.serve_port}"]
      cpu              = 2048
      memory           = 4096
      port             = local.serve_port
      queue            = ""
      storage_gb       = 21
      backlog_per_task = 0
      environment = {
        NETWORX_DATABASE_MAX_CONNS = "20"
      }
    }
    work-optimization = {
      command          = ["work", "--queue=optimization", "--admin-addr", "0.0.0.0:${local.admin_port}"]
      cpu              = 8192
      memory           = 16384
      port             = local.admin_port
      queue            = "optimization"
      storage_gb       = 21
      backlog_per_task = 4
      environment = {
        NETWORX_JOBS_CONCURRENCY   = "4"
        NETWORX_DATABASE_MAX_CONNS = "8"
      }
    }
    work-files = {
      command          = ["work", "--queue=files", "--admin-addr", "0.0.0.0:${local.admin_port}"]
      cpu              = 4096
      memory           = 8192
      port             = local.admin_port
      queue            = "files"
      storage_gb       = 60
      backlog_per_task = 4
      environment = {
        NETWORX_JOBS_CONCURRENCY   = "2"
        NETWORX_DATABASE_MAX_CONNS = "8"
      }
    }
    work-capacity = {
      command          = ["work", "--queue=capacity", "--admin-addr", "0.0.0.0:${local.admin_port}"]
      cpu              = 4096
      memory           = 8192
      port             = local.admin_port
      queue            = "capacity"
      storage_gb       = 21
      backlog_per_task = 4
      environment = {
        NETWORX_JOBS_CONCURRENCY   = "2"
        NETWORX_DATABASE_MAX_CONNS = "8"
      }
    }
    # A task definition without a service: run it once before each deployment
    # (docs/operations.md, "Deploy").
    migrate = {
      command          = ["migrate", "up"]
      cpu              = 512
      memory           = 1024
      port             = 0
      queue            = ""
      storage_gb       = 21
      backlog_per_task = 0
      environment      = {}
    }
  }

  services = { for k, r in local.roles : k => r if k == "serve" || contains(keys(local.worker_services), k) }

  # Settings common to every role (docs/configuration.md). Secrets are not here: the
  # database and Redis URLs come from Secrets Manager (local.secrets).
  environment = {
    NETWORX_QUEUE_DRIVER            = "sqs"
    NETWORX_QUEUE_NAME_PREFIX       = var.queue_name_prefix
    NETWORX_QUEUE_CREATE_QUEUES     = "false"
    NETWORX_QUEUE_MAX_ATTEMPTS      = tostring(var.max_attempts)
    NETWORX_JOBS_VISIBILITY_TIMEOUT = "${var.visibility_timeout_seconds}s"
    NETWORX_JOBS_DRAIN_TIMEOUT      = "90s"
    NETWORX_BLOB_URL                = "s3://${aws_s3_bucket.data["uploads"].bucket}/networx"
    NETWORX_LOG_FORMAT              = "json"
    NETWORX_LOG_LEVEL               = "info"
    AWS_REGION                      = data.aws_region.current.name
  }

  secrets = {
    NETWORX_DATABASE_URL = aws_secretsmanager_secret.database_url.arn
    NETWORX_REDIS_URL    = aws_secretsmanager_secret.redis_url.arn
  }

  log_groups = { for k, r in local.roles : k => "/ecs/${var.name}/${k}" }

  # ECS stops a task with SIGTERM, then SIGKILL after this (the Fargate maximum): longer
  # than jobs.drain_timeout (90 s) and http.shutdown_timeout (20 s).
  stop_timeout = 120

  containers = {
    for k, r in local.roles : k => {
      name                   = "networx"
      image                  = "${aws_ecr_repository.networx.repository_url}:${var.image_tag}"
      essential              = true
      command                = r.command
      stopTimeout            = local.stop_timeout
      user                   = "65532:65532"
      readonlyRootFilesystem = true
      environment            = [for n, v in merge(local.environment, r.environment) : { name = n, value = v }]
      secrets                = [for n, arn in local.secrets : { name = n, valueFrom = arn }]
      portMappings           = r.port == 0 ? [] : [{ containerPort = r.port, protocol = "tcp" }]
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      linuxParameters        = { initProcessEnabled = true }
      ulimits                = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = local.log_groups[k]
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = k
        }
      }
    }
  }

  # ElastiCache cluster-mode node ids are <group>-<shard 0001..>-<node 001..>; the alarms
  # watch every node.
  redis_group_id = "${var.name}-redis"
  redis_nodes = flatten([
    for s in range(1, var.redis_shards + 1) : [
      for n in range(1, var.redis_replicas_per_shard + 2) : format("%s-%04d-%03d", local.redis_group_id, s, n)
    ]
  ])

  tags = {
    Application = "networx"
    Deployment  = var.name
  }
}
