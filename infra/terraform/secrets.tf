# The secrets the tasks get as environment variables (local.secrets). Their values are
# composed here from the generated passwords, so they are also in the Terraform state:
# keep the state in an encrypted, access-controlled backend.

resource "aws_secretsmanager_secret" "database_url" {
  name       = "${var.name}/database-url"
  kms_key_id = aws_kms_key.main.arn
  tags       = local.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = "postgres://networx:${urlencode(random_password.db.result)}@${aws_db_proxy.main.endpoint}:5432/networx?sslmode=require"
}

resource "aws_secretsmanager_secret" "redis_url" {
  name       = "${var.name}/redis-url"
  kms_key_id = aws_kms_key.main.arn
  tags       = local.tags
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss-cluster://:${urlencode(random_password.redis.result)}@${aws_elasticache_replication_group.main.configuration_endpoint_address}:6379"
}

# The credentials RDS Proxy logs in with.
resource "aws_secretsmanager_secret" "db_credentials" {
  name       = "${var.name}/db-credentials"
  kms_key_id = aws_kms_key.main.arn
  tags       = local.tags
}

resource "aws_secretsmanager_secret_version" "db_credentials" {
  secret_id = aws_secretsmanager_secret.db_credentials.id
  secret_string = jsonencode({
    username = aws_db_instance.main.username
    password = random_password.db.result
  })
}

# The read replica's URL, for report tools (networx itself does not read it yet).
resource "aws_secretsmanager_secret" "replica_url" {
  name       = "${var.name}/replica-url"
  kms_key_id = aws_kms_key.main.arn
  tags       = local.tags
}

resource "aws_secretsmanager_secret_version" "replica_url" {
  secret_id     = aws_secretsmanager_secret.replica_url.id
  secret_string = "postgres://networx:${urlencode(random_password.db.result)}@${aws_db_instance.replica.address}:5432/networx?sslmode=require"
}
