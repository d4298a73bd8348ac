// The statement this action adds to a repository policy, and the facts about Runpod's ECR pull it rests
// on, from Runpod's current documentation (see SPEC).

export const RUNPOD_DEPLOYMENT_ROLES: readonly string[] = [
  'arn:aws:iam::550005742258:role/prod-us-east-1-deployment-role',
  'arn:aws:iam::550005742258:role/prod-us-west-2-deployment-role'
]

/** Account named by an earlier version of Runpod's docs; it no longer pulls images. */
export const SUPERSEDED_RUNPOD_ACCOUNT = '418399314813'

export const RUNPOD_STATEMENT_SID = 'AllowRunpodPull'

/** What pulling an image takes in a repository policy. */
export const PULL_ACTIONS: readonly string[] = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability'
]

export interface RunpodStatement {
  readonly Sid: string
  readonly Effect: 'Allow'
  readonly Principal: '*'
  readonly Action: readonly string[]
  readonly Condition: { readonly StringEquals: { readonly 'aws:PrincipalArn': readonly string[] } }
}

/**
 * Runpod's documented statement without ecr:GetAuthorizationToken, which has no effect in a repository
 * policy (RPD010).
 */
export function runpodStatement(principals: readonly string[]): RunpodStatement {
  return {
    Sid: RUNPOD_STATEMENT_SID,
    Effect: 'Allow',
    Principal: '*',
    Action: [...PULL_ACTIONS],
    Condition: { StringEquals: { 'aws:PrincipalArn': [...principals] } }
  }
}

/**
 * The condition that exempts Runpod's roles from a Deny, to advise: the action never edits a Deny itself.
 * ArnNotLike on aws:PrincipalArn holds for every caller except the roles' sessions.
 */
export function runpodExemption(principals: readonly string[]): string {
  return `"ArnNotLike": {"aws:PrincipalArn": ${JSON.stringify(principals)}}`
}
