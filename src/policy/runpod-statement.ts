// Facts about Runpod's ECR integration, from Runpod's current documentation (see SPEC).

export const RUNPOD_DEPLOYMENT_ROLES: readonly string[] = [
  'arn:aws:iam::550005742258:role/prod-us-east-1-deployment-role',
  'arn:aws:iam::550005742258:role/prod-us-west-2-deployment-role'
]

/** Account named by an earlier version of Runpod's docs; it no longer pulls images. */
export const SUPERSEDED_RUNPOD_ACCOUNT = '418399314813'

export const RUNPOD_STATEMENT_SID = 'AllowRunpodPull'

export const DEFAULT_RUNPOD_API_URL = 'https://api.runpod.io'
