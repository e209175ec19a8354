# The networx AWS deployment as one Terraform module. It takes an existing network (VPC,
# private subnets for tasks and data stores, public subnets for the load balancer) and
# creates everything networx runs on. See docs/deployment.md.
#
# No terraform binary runs in this repository's CI: infra/infra_test.go parses these files
# with hashicorp/hcl and checks them against the networx code instead. Run
# `terraform init && terraform validate` before the first apply.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
