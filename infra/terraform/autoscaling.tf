resource "aws_appautoscaling_target" "role" {
  for_each           = local.services
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.role[each.key].name}"
  min_capacity       = each.key == "serve" ? var.serve_min_tasks : var.worker_min_tasks
  max_capacity       = each.key == "serve" ? var.serve_max_tasks : var.worker_max_tasks
}

resource "aws_appautoscaling_policy" "serve_cpu" {
  name               = "${var.name}-serve-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.role["serve"].service_namespace
  scalable_dimension = aws_appautoscaling_target.role["serve"].scalable_dimension
  resource_id        = aws_appautoscaling_target.role["serve"].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "serve_requests" {
  name               = "${var.name}-serve-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.role["serve"].service_namespace
  scalable_dimension = aws_appautoscaling_target.role["serve"].scalable_dimension
  resource_id        = aws_appautoscaling_target.role["serve"].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = 1000
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.main.arn_suffix}/${aws_lb_target_group.serve.arn_suffix}"
    }
  }
}

# Each worker service tracks its queue's backlog per running task: visible messages divided
# by the service's running tasks (Container Insights), kept near backlog_per_task. The
# service never runs fewer than worker_min_tasks (1), so the divisor is not zero while the
# service is healthy.
resource "aws_appautoscaling_policy" "worker_backlog" {
  for_each           = local.worker_services
  name               = "${var.name}-${each.key}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.role[each.key].service_namespace
  scalable_dimension = aws_appautoscaling_target.role[each.key].scalable_dimension
  resource_id        = aws_appautoscaling_target.role[each.key].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = local.roles[each.key].backlog_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "backlog_per_task"
        label       = "visible messages per running task"
        expression  = "visible / tasks"
        return_data = true
      }

      metrics {
        id          = "visible"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"
            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.main[each.value].name
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.main.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.role[each.key].name
            }
          }
        }
      }
    }
  }
}
