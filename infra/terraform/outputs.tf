output "role_arn" {
  description = "The role for the workflow: role-to-assume (and aws-actions/configure-aws-credentials with allow_push)."
  value       = aws_iam_role.deploy.arn
}

output "oidc_provider_arn" {
  description = "The GitHub OIDC provider the role trusts."
  value       = local.oidc_provider_arn
}
