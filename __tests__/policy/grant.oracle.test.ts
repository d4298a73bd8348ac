// The verdict engine against an IAM engine nobody here wrote (@cloud-copilot/iam-simulate): generated
// repository policies, built from the pieces real policies use, must get the same decision from both for
// each Runpod role and pull action, wherever ours decides it. Runpod's pull is simulated as what it is: an
// assumed-role session of the role, cross-account, in every request context the SPEC allows (the
// organization keys absent or foreign), so a decided verdict must hold in all of them.
import { describe, expect, it } from '@jest/globals'
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import fc from 'fast-check'
import { parsePolicy } from '../../src/policy/document.js'
import { pullVerdicts, type PullVerdict } from '../../src/policy/grant.js'
import { PULL_ACTIONS, RUNPOD_DEPLOYMENT_ROLES } from '../../src/policy/runpod-statement.js'

const SEED = Number(process.env['ORACLE_SEED'] ?? 20_261_201)
const RUNS = Number(process.env['ORACLE_RUNS'] ?? 2_000)
const RUNPOD_ACCOUNT = '550005742258'
const OTHER_ACCOUNT = '111111111111'
const REPOSITORY = 'arn:aws:ecr:us-east-1:222233334444:repository/worker'
const [EAST = '', WEST = ''] = RUNPOD_DEPLOYMENT_ROLES
const sessionOf = (role: string) => `arn:aws:sts::${RUNPOD_ACCOUNT}:assumed-role/${role.split('/').at(-1)}/runpod-pull`

type Statement = Record<string, unknown>
type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'

// The pieces: principals, actions and conditions as teams write them, with near-misses of each.
const principalValue = fc.constantFrom(
  '*',
  EAST,
  WEST,
  RUNPOD_ACCOUNT,
  `arn:aws:iam::${RUNPOD_ACCOUNT}:root`,
  `arn:aws:iam::${OTHER_ACCOUNT}:role/ci`,
  OTHER_ACCOUNT,
  sessionOf(EAST)
)
const principalElement = fc.oneof(
  fc.constant<Statement>({ Principal: '*' }),
  fc.constant<Statement>({ Principal: { AWS: '*' } }),
  fc
    .uniqueArray(principalValue, { minLength: 1, maxLength: 3 })
    .map((values): Statement => ({ Principal: { AWS: values } })),
  fc
    .uniqueArray(
      fc.constantFrom(
        EAST,
        WEST,
        `arn:aws:iam::${RUNPOD_ACCOUNT}:root`,
        sessionOf(EAST),
        `arn:aws:iam::${OTHER_ACCOUNT}:root`
      ),
      { minLength: 1, maxLength: 4 }
    )
    .map((values): Statement => ({ NotPrincipal: { AWS: values } }))
)
const action = fc.constantFrom(
  'ecr:BatchGetImage',
  'ECR:batchGETimage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:*',
  'ecr:Batch*',
  'ecr:Get*',
  'ecr:BatchCheckLayer?vailability',
  'ecr:PutImage',
  'ecr:Describe*',
  '*'
)
const actionElement = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.uniqueArray(action, { minLength: 1, maxLength: 3 }).map((values): Statement => ({ Action: values }))
  },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(action, { minLength: 1, maxLength: 2 })
      .map((values): Statement => ({ NotAction: values }))
  }
)
const arnValues = fc.constantFrom(
  EAST,
  WEST,
  `arn:aws:iam::${RUNPOD_ACCOUNT}:role/prod-*`,
  `arn:aws:iam::${RUNPOD_ACCOUNT}:role/prod-us-????-?-deployment-role`,
  `arn:aws:iam::${RUNPOD_ACCOUNT}:*`,
  'arn:aws:iam::*:role/*',
  `arn:aws:iam::${OTHER_ACCOUNT}:role/ci`,
  'arn:aws:*:role/prod-*'
)
const keyWithValues: fc.Arbitrary<{ key: string; values: fc.Arbitrary<string> }> = fc.constantFrom(
  { key: 'aws:PrincipalArn', values: arnValues },
  { key: 'aws:principalarn', values: arnValues },
  { key: 'aws:PrincipalAccount', values: fc.constantFrom(RUNPOD_ACCOUNT, OTHER_ACCOUNT, '5500*') },
  { key: 'aws:PrincipalOrgID', values: fc.constantFrom('o-a1b2c3d4e5', 'o-zz9988776655') },
  { key: 'aws:SourceVpce', values: fc.constantFrom('vpce-0a1b2c3d', 'vpce-9f8e7d6c') }
)
const operator = fc
  .tuple(
    fc.constantFrom(
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
      'ArnEquals',
      'ArnLike',
      'ArnNotEquals',
      'ArnNotLike'
    ),
    fc.boolean(),
    fc.constantFrom('', '', '', 'ForAnyValue:')
  )
  .map(([base, ifExists, qualifier]) => `${qualifier}${base}${ifExists ? 'IfExists' : ''}`)
const conditionEntry = keyWithValues.chain(({ key, values }) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(operator, fc.uniqueArray(values, { minLength: 1, maxLength: 2 }))
        .map(([op, vals]) => ({ op, key, vals }))
    },
    { weight: 1, arbitrary: fc.constantFrom(['true'], ['false']).map((vals) => ({ op: 'Null', key, vals })) }
  )
)
const condition = fc
  .uniqueArray(conditionEntry, { maxLength: 2, selector: (entry) => `${entry.op} ${entry.key.toLowerCase()}` })
  .map((entries): Statement => {
    if (entries.length === 0) return {}
    const block: Record<string, Record<string, string[]>> = {}
    for (const { op, key, vals } of entries) block[op] = { ...block[op], [key]: [...vals] }
    return { Condition: block }
  })
const statement = fc
  .tuple(fc.constantFrom('Allow', 'Allow', 'Deny'), principalElement, actionElement, condition, fc.boolean())
  .filter(
    ([effect, principal, actions]) => effect === 'Deny' || (!('NotPrincipal' in principal) && !('NotAction' in actions))
  )
  .map(([effect, principal, actions, conditions, withResource]): Statement => ({
    Effect: effect,
    ...principal,
    ...actions,
    ...(withResource ? { Resource: '*' } : {}),
    ...conditions
  }))
const policy = fc
  .array(statement, { minLength: 1, maxLength: 4 })
  .map((statements) => ({ Version: '2012-10-17', Statement: statements }))

// Registry policy statements name the repositories they are about: this one, a pattern that admits it, others.
const registryResource = fc.constantFrom(
  '*',
  REPOSITORY,
  'arn:aws:ecr:us-east-1:222233334444:repository/*',
  'arn:aws:ecr:*:222233334444:repository/work*',
  'arn:aws:ecr:us-east-1:222233334444:repository/w?rker',
  'arn:aws:ecr:*',
  'arn:aws:ecr:us-east-1:222233334444:repository/prod-*',
  'arn:aws:ecr:us-west-2:222233334444:repository/*'
)
const registryStatement = fc
  .tuple(statement, fc.boolean(), fc.uniqueArray(registryResource, { minLength: 1, maxLength: 2 }))
  .map(([base, negated, resources]): Statement => {
    const rest = Object.fromEntries(Object.entries(base).filter(([element]) => element !== 'Resource'))
    return { ...rest, [negated ? 'NotResource' : 'Resource']: resources }
  })
const registryPolicy = fc
  .array(registryStatement, { minLength: 1, maxLength: 3 })
  .map((statements) => ({ Version: '2012-10-17', Statement: statements }))

/** The request contexts the SPEC allows for Runpod's pull: the organization keys absent, or foreign. */
const CONTEXTS: readonly Record<string, string>[] = [
  {},
  { 'aws:PrincipalOrgID': 'o-runpod000000', 'aws:PrincipalOrgPaths': 'o-runpod000000/r-ab12/' }
]

async function simulate(
  resourcePolicy: object,
  role: string,
  pullAction: string,
  extra: Record<string, string>
): Promise<Decision | 'error'> {
  const simulation: Simulation = {
    // Runpod's own account lets its role pull anywhere: only the repository policy decides.
    identityPolicies: [
      {
        name: 'runpod-role',
        policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }
      }
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
    request: {
      action: pullAction,
      principal: sessionOf(role),
      resource: { accountId: '222233334444', resource: REPOSITORY },
      contextVariables: {
        'aws:PrincipalArn': role,
        'aws:PrincipalAccount': RUNPOD_ACCOUNT,
        'aws:PrincipalType': 'AssumedRole',
        ...extra
      }
    }
  }
  const response = await runSimulation(simulation, {})
  return response.resultType === 'single' ? (response.overallResult as Decision) : 'error'
}

/** What our verdict claims about IAM's decision in every allowed context; undefined where it decides nothing. */
function claim(verdict: PullVerdict): ((decision: Decision) => boolean) | undefined {
  switch (verdict.kind) {
    case 'granted':
      return (decision) => decision === 'Allowed'
    case 'denied':
      return (decision) => decision === 'ExplicitlyDenied'
    case 'not-granted':
      return verdict.undecided.length === 0 ? (decision) => decision !== 'Allowed' : undefined
    case 'uncertain':
      return undefined
  }
}

interface Exception {
  readonly name: string
  /** The sentence of the AWS documentation that settles the case against the simulator. */
  readonly documentation: string
  /**
   * The policy rewritten into a form IAM evaluates the same way (by the sentence above) and the simulator
   * handles; undefined when the case does not arise. The simulator must then agree with us.
   */
  readonly rewrite: (
    policy: GeneratedPolicy,
    role: string,
    context: Record<string, string>
  ) => GeneratedPolicy | undefined
}

interface GeneratedPolicy {
  readonly Version: string
  readonly Statement: readonly Statement[]
}

/** Each statement through `change`; undefined when no statement changed. */
function rewriteStatements(
  policy: GeneratedPolicy,
  change: (statement: Statement) => Statement
): GeneratedPolicy | undefined {
  const Statement = policy.Statement.map(change)
  return Statement.some((statement, index) => statement !== policy.Statement[index])
    ? { ...policy, Statement }
    : undefined
}

/** Where the simulator is the one that is wrong. */
const EXCEPTIONS: readonly Exception[] = [
  {
    name: 'ForAnyValue:...IfExists holds when the key is absent',
    documentation:
      'IAM User Guide, "IAM JSON policy elements: Condition operators", ...IfExists condition operators: "You can add IfExists to the end of any condition operator name except the Null condition ... If the key is not present, evaluate the condition element as true." iam-simulate lets ForAnyValue\'s "for no matching key ... returns false" win instead. On the single-valued keys here, ForAnyValue:XIfExists is XIfExists.',
    rewrite: (policy) =>
      rewriteStatements(policy, (statement) => {
        const block = statement['Condition'] as Record<string, unknown> | undefined
        if (!block || !Object.keys(block).some((op) => /^ForAnyValue:.*IfExists$/.test(op))) return statement
        return {
          ...statement,
          Condition: Object.fromEntries(
            Object.entries(block).map(([op, keys]) => [op.replace(/^ForAnyValue:(.*IfExists)$/, '$1'), keys])
          )
        }
      })
  },
  {
    name: 'NotPrincipal exempts an assumed-role session only with its session, role and account ARNs',
    documentation:
      'IAM User Guide, "AWS JSON policy elements: NotPrincipal": "The assumed-role user is identified by the role session name that is specified when they assumed the role." "If the NotPrincipal element was missing the ARN of the role, the effect of the policy might be to explicitly deny access to the role. Similarly, if the NotPrincipal element was missing the ARN of the AWS account that the role belongs to, the effect of the policy might be to explicitly deny access to the AWS account and all entities in that account." iam-simulate exempts every session of a role or account the list names.',
    rewrite: (policy, role) =>
      rewriteStatements(policy, (statement) => {
        const listed = (statement['NotPrincipal'] as { AWS?: string[] } | undefined)?.AWS
        if (!listed) return statement
        const names = [sessionOf(role), role, `arn:aws:iam::${RUNPOD_ACCOUNT}:root`]
        const complete = names.every(
          (arn) => listed.includes(arn) || (arn.endsWith(':root') && listed.includes(RUNPOD_ACCOUNT))
        )
        if (complete) return statement
        // Without all three, the session is not exempt: drop what names the role or its account.
        const kept = listed.filter((arn) => !names.includes(arn) && arn !== RUNPOD_ACCOUNT)
        return kept.length === listed.length
          ? statement
          : { ...statement, NotPrincipal: { AWS: kept.length > 0 ? kept : [`arn:aws:iam::${OTHER_ACCOUNT}:root`] } }
      })
  }
]

describe('the verdict engine against @cloud-copilot/iam-simulate', () => {
  it(`agrees on ${RUNS} generated policies wherever it decides (seed ${SEED})`, async () => {
    const tally = { decided: 0, undecided: 0, simulatorErrors: 0, exceptions: new Map<string, number>() }
    await fc.assert(
      fc.asyncProperty(policy, async (generated) => {
        const text = JSON.stringify(generated)
        const verdicts = pullVerdicts(
          [{ name: 'the repository policy', doc: parsePolicy(text) }],
          RUNPOD_DEPLOYMENT_ROLES
        )
        for (const { principal: role, actions } of verdicts) {
          for (const { action: pullAction, verdict } of actions) {
            const holds = claim(verdict)
            if (!holds) {
              tally.undecided++
              continue
            }
            for (const context of CONTEXTS) {
              const theirs = await simulate(generated, role, pullAction, context)
              if (theirs === 'error') {
                tally.simulatorErrors++
                continue
              }
              if (holds(theirs)) continue
              const exception = await explainedBy(generated, role, pullAction, context, holds)
              if (exception) {
                tally.exceptions.set(exception, (tally.exceptions.get(exception) ?? 0) + 1)
                continue
              }
              throw new Error(
                `Disagreement for ${role} / ${pullAction} in context ${JSON.stringify(context)}: ours ${verdictText(verdict)}, iam-simulate ${theirs}.\nPolicy: ${text}\nRerun with ORACLE_SEED=${SEED}.`
              )
            }
            tally.decided++
          }
        }
      }),
      { numRuns: RUNS, seed: SEED }
    )
    // Not vacuous: most verdicts are decided, and checked against the simulator.
    expect(tally.decided).toBeGreaterThan(RUNS * PULL_ACTIONS.length)
    expect(tally.simulatorErrors).toBeLessThan(tally.decided / 10)
  }, 300_000)
})

describe('the verdict engine with a registry policy (scope V2) against @cloud-copilot/iam-simulate', () => {
  // IAM evaluates the repository policy and the registry policy together, each statement where its Resource
  // admits the repository: for the simulator, one resource policy holding both (repository statements
  // scoped to the repository, as they implicitly are).
  it(`agrees on ${RUNS / 2} generated pairs wherever it decides (seed ${SEED})`, async () => {
    const tally = { decided: 0, byRegistry: 0, simulatorErrors: 0 }
    await fc.assert(
      fc.asyncProperty(policy, registryPolicy, async (repository, registry) => {
        const verdicts = pullVerdicts(
          [
            { name: 'the repository policy', doc: parsePolicy(JSON.stringify(repository)) },
            { name: 'the registry policy', doc: parsePolicy(JSON.stringify(registry)), resource: REPOSITORY }
          ],
          RUNPOD_DEPLOYMENT_ROLES
        )
        const together: GeneratedPolicy = {
          Version: '2012-10-17',
          Statement: [
            ...repository.Statement.map((entry) => ({ ...entry, Resource: REPOSITORY })),
            ...registry.Statement
          ]
        }
        for (const { principal: role, actions } of verdicts) {
          for (const { action: pullAction, verdict } of actions) {
            const holds = claim(verdict)
            if (!holds) continue
            for (const context of CONTEXTS) {
              const theirs = await simulate(together, role, pullAction, context)
              if (theirs === 'error') {
                tally.simulatorErrors++
                continue
              }
              if (holds(theirs) || (await explainedBy(together, role, pullAction, context, holds))) continue
              throw new Error(
                `Disagreement for ${role} / ${pullAction} in context ${JSON.stringify(context)}: ours ${verdictText(verdict)}, iam-simulate ${theirs}.\nRepository policy: ${JSON.stringify(repository)}\nRegistry policy: ${JSON.stringify(registry)}\nRerun with ORACLE_SEED=${SEED}.`
              )
            }
            tally.decided++
            if (verdict.kind === 'denied' && verdict.by.policy === 'the registry policy') tally.byRegistry++
          }
        }
      }),
      { numRuns: RUNS / 2, seed: SEED }
    )
    // Not vacuous: registry statements decide verdicts, and the simulator checked them.
    expect(tally.decided).toBeGreaterThan(RUNS)
    expect(tally.byRegistry).toBeGreaterThan(RUNS / 20)
    expect(tally.simulatorErrors).toBeLessThan(tally.decided / 10)
  }, 300_000)
})

/** The exception whose rewrite of the policy the simulator, too, judges as we do (rewrites compose). */
async function explainedBy(
  generated: GeneratedPolicy,
  role: string,
  pullAction: string,
  context: Record<string, string>,
  holds: (decision: Decision) => boolean
): Promise<string | undefined> {
  let rewritten = generated
  const applied: string[] = []
  for (const exception of EXCEPTIONS) {
    const next = exception.rewrite(rewritten, role, context)
    if (!next) continue
    rewritten = next
    applied.push(exception.name)
    const decision = await simulate(rewritten, role, pullAction, context)
    if (decision !== 'error' && holds(decision)) return applied.join(' + ')
  }
  return undefined
}

function verdictText(verdict: PullVerdict): string {
  return verdict.kind === 'denied' ? `denied by ${verdict.by.statement.label} of ${verdict.by.policy}` : verdict.kind
}
