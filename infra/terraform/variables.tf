variable "name" {
  description = "Name of this deployment; prefixes every resource and alarm name."
  type        = string
  default     = "networx"
}

variable "vpc_id" {
  description = "VPC the deployment runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two availability zones) for tasks, RDS and ElastiCache; they need a route to ECR, SQS, S3, Secrets Manager and CloudWatch (NAT or VPC endpoints)."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two availability zones) for the load balancer."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate of the API's host name, for the TLS listener."
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "Client networks allowed to reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "image_tag" {
  description = "Tag of the networx image in the module's ECR repository that the services run."
  type        = string
  default     = "latest"
}

variable "cpu_architecture" {
  description = "CPU architecture of the image and the Fargate tasks: X86_64 or ARM64 (Graviton, about 20% cheaper)."
  type        = string
  default     = "X86_64"
}

variable "alarm_subscriptions" {
  description = "Subscribers of the alarm topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }, { protocol = \"https\", endpoint = \"https://events.pagerduty.com/...\" }]."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

# Queues and workers. The defaults are networx's own (config.Default(): queue.max_attempts
# and jobs.visibility_timeout); the task environment passes the same values to the workers,
# so the SQS redrive and visibility settings and the workers always agree.

variable "queue_name_prefix" {
  description = "Prefix of the SQS queue names (queue.name_prefix)."
  type        = string
  default     = "networx-"
}

variable "max_attempts" {
  description = "Attempts of one job before it fails and its message is dead-lettered (queue.max_attempts)."
  type        = number
  default     = 3
}

variable "visibility_timeout_seconds" {
  description = "Lease on a received message, renewed by the worker at a third of it (jobs.visibility_timeout)."
  type        = number
  default     = 60
}

variable "worker_queues" {
  description = "Queues that get a worker service. All three by default; every queue has job kinds (see docs/jobs.md)."
  type        = list(string)
  default     = ["optimization", "files", "capacity"]
}

variable "serve_min_tasks" {
  description = "Fewest serve tasks."
  type        = number
  default     = 2
}

variable "serve_max_tasks" {
  description = "Most serve tasks."
  type        = number
  default     = 10
}

variable "worker_min_tasks" {
  description = "Fewest tasks of each worker service."
  type        = number
  default     = 1
}

variable "worker_max_tasks" {
  description = "Most tasks of each worker service."
  type        = number
  default     = 20
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups."
  type        = number
  default     = 30
}

# Data stores.

variable "db_instance_class" {
  description = "RDS instance class of the primary and the read replica."
  type        = string
  default     = "db.r6g.large"
}

variable "db_allocated_storage_gb" {
  description = "Initial gp3 storage of the database."
  type        = number
  default     = 100
}

variable "db_max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling of the database."
  type        = number
  default     = 1000
}

variable "db_backup_retention_days" {
  description = "Automated backup (point-in-time recovery) window."
  type        = number
  default     = 30
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.r6g.large"
}

variable "redis_shards" {
  description = "Node groups (shards) of the Redis cluster."
  type        = number
  default     = 2
}

variable "redis_replicas_per_shard" {
  description = "Replicas per shard (at least 1 for Multi-AZ failover)."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas_per_shard >= 1
    error_message = "Multi-AZ with automatic failover needs at least one replica per shard."
  }
}

variable "temporary_object_days" {
  description = "Days after which incomplete multipart uploads (interrupted streamed uploads) are aborted and noncurrent object versions deleted."
  type        = number
  default     = 7
}

# Alarm thresholds.

variable "alarm_5xx_rate" {
  description = "Fraction of requests answered 5xx over 5 minutes that raises the alarm."
  type        = number
  default     = 0.01
}

variable "alarm_p99_latency_seconds" {
  description = "p99 target response time over 5 minutes that raises the alarm."
  type        = number
  default     = 2
}

variable "alarm_oldest_message_age_seconds" {
  description = "Age of the oldest queued message, per queue, that raises the alarm."
  type        = map(number)
  default = {
    optimization = 900
    files        = 1800
    capacity     = 900
  }
}

variable "alarm_db_connections" {
  description = "Database connections that raise the alarm (db.r6g.large allows about 1700)."
  type        = number
  default     = 1000
}

variable "alarm_db_free_storage_bytes" {
  description = "Free database storage below which the alarm is raised."
  type        = number
  default     = 10737418240
}
