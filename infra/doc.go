// Package infra holds the deployment of networx as code: the AWS Terraform module
// (terraform/), the Prometheus alert rules (prometheus/) and the single-host deployment
// (single-host/). It has no Go code of its own; its tests check those files against the
// networx code (commands, settings, queue names, metrics) and the on-call runbook
// (docs/operations.md). See docs/deployment.md.
package infra
