output "api_dns_name" {
  description = "DNS name of the load balancer; point the API's host name (the certificate's) at it."
  value       = aws_lb.main.dns_name
}

output "ecr_repository_url" {
  description = "Push the networx image here, tagged with var.image_tag."
  value       = aws_ecr_repository.networx.repository_url
}

output "cluster_name" {
  value = aws_ecs_cluster.main.name
}

output "task_definitions" {
  description = "Task definition family of each role; run `migrate` once before each deployment."
  value       = { for k, t in aws_ecs_task_definition.role : k => t.family }
}

output "queue_urls" {
  value = { for k, q in aws_sqs_queue.main : k => q.id }
}

output "dead_letter_queue_urls" {
  value = { for k, q in aws_sqs_queue.dead : k => q.id }
}

output "buckets" {
  value = { for k, b in aws_s3_bucket.data : k => b.bucket }
}

output "db_instance_identifier" {
  value = aws_db_instance.main.identifier
}

output "db_proxy_endpoint" {
  value = aws_db_proxy.main.endpoint
}

output "db_replica_address" {
  value = aws_db_instance.replica.address
}

output "redis_configuration_endpoint" {
  value = aws_elasticache_replication_group.main.configuration_endpoint_address
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "task_security_group_id" {
  description = "Security group of the tasks; give it to one-off tasks (migrate) too."
  value       = aws_security_group.tasks.id
}

output "private_subnet_ids" {
  value = var.private_subnet_ids
}
