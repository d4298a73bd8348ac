# The same switches as infra/cloudformation/runpod-ecr-deploy-role.yaml, named in Terraform's style.

variable "github_repository" {
  description = "The repository whose workflows may assume the role, as OWNER/REPO."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "Give the repository as OWNER/REPO."
  }
}

variable "github_branch" {
  description = "Optional: only workflows on this branch may assume the role. Empty: any ref, pull request or environment."
  type        = string
  default     = ""
}

variable "github_environment" {
  description = "Optional: only jobs of this GitHub environment may assume the role (takes precedence over github_branch)."
  type        = string
  default     = ""
}

variable "github_subject_repository" {
  description = "Optional: the repository as GitHub's immutable subject claims name it, OWNER-OWNERID/REPO-REPOID."
  type        = string
  default     = ""
}

variable "oidc_provider_arn" {
  description = "ARN of the account's existing token.actions.githubusercontent.com OIDC provider. Empty: the module creates it."
  type        = string
  default     = ""
}

variable "ecr_repository_names" {
  description = "The ECR repositories (names, not ARNs) the action deploys from, in this account and region."
  type        = list(string)
  validation {
    condition     = length(var.ecr_repository_names) > 0
    error_message = "Name at least one ECR repository."
  }
}

variable "policy_input" {
  description = "The action's 'policy' input: apply (the role may set the repository policy), verify (it reads it) or skip."
  type        = string
  default     = "apply"
  validation {
    condition     = contains(["apply", "verify", "skip"], var.policy_input)
    error_message = "policy_input is apply, verify or skip."
  }
}

variable "token_mode" {
  description = "true for registry-auth token: the role may get ECR authorization tokens, and Runpod pulls with them."
  type        = bool
  default     = false
}

variable "allow_push" {
  description = "true: the role may also push to the repositories, so one role serves build, push and deploy."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Optional: the customer managed KMS key the repositories are encrypted with, so the action can check its state."
  type        = string
  default     = ""
}

variable "role_name" {
  description = "Optional role name; empty lets Terraform name it."
  type        = string
  default     = ""
}
