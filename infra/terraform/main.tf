# The IAM role GitHub Actions assumes (OIDC, no stored keys) to run runpod-ecr-deploy: exactly the calls the
# action makes, each on the narrowest resource. The same role as infra/cloudformation/runpod-ecr-deploy-role.yaml.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  create_oidc_provider = var.oidc_provider_arn == ""
  oidc_provider_arn    = local.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn
  subject_repository   = var.github_subject_repository != "" ? var.github_subject_repository : var.github_repository
  subject_scope = (
    var.github_environment != "" ? "environment:${var.github_environment}" :
    var.github_branch != "" ? "ref:refs/heads/${var.github_branch}" : "*"
  )

  reads_policy  = var.policy_input != "skip"
  writes_policy = var.policy_input == "apply"
  token_or_push = var.token_mode || var.allow_push

  repository_arns = [
    for name in var.ecr_repository_names :
    "arn:${data.aws_partition.current.partition}:ecr:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:repository/${name}"
  ]
  repository_actions = concat(
    ["ecr:DescribeImages"],
    local.reads_policy ? ["ecr:GetRepositoryPolicy"] : [],
    local.writes_policy ? ["ecr:SetRepositoryPolicy"] : [],
    # The image checks (manifest, config blob) and the way back (lifecycle, encryption).
    ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetLifecyclePolicy", "ecr:DescribeRepositories"],
    # Runpod pulls with the token in token mode; a push checks layers too.
    local.token_or_push ? ["ecr:BatchCheckLayerAvailability"] : [],
    var.allow_push ? ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"] : [],
  )
  # ECR scopes these to no repository.
  registry_actions = concat(
    local.reads_policy ? ["ecr:GetRegistryPolicy", "ecr:GetAccountSetting"] : [],
    local.token_or_push ? ["ecr:GetAuthorizationToken"] : [],
  )
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = local.create_oidc_provider ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActionsOfOneRepository"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${local.subject_repository}:${local.subject_scope}"]
    }
  }
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "OnTheRepositories"
    effect    = "Allow"
    actions   = local.repository_actions
    resources = local.repository_arns
  }

  dynamic "statement" {
    for_each = length(local.registry_actions) > 0 ? [local.registry_actions] : []
    content {
      sid       = "OnTheRegistry"
      effect    = "Allow"
      actions   = statement.value
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn != "" ? [var.kms_key_arn] : []
    content {
      sid       = "OnTheKmsKey"
      effect    = "Allow"
      actions   = ["kms:DescribeKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = var.role_name != "" ? var.role_name : null
  description          = "runpod-ecr-deploy for ${var.github_repository}"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "deploy" {
  name   = "runpod-ecr-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.permissions.json
}
