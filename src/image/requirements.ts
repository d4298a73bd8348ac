// NVIDIA's requirement rules, as the container toolkit applies them when a container starts on a GPU host:
// which NVIDIA_REQUIRE_* values of the container's env it checks, and how libnvidia-container evaluates each
// one against the host's driver. Pure: the host is what the action knows of it, and a clause it cannot decide
// leaves the verdict unknown rather than guessed.
//
// The grammar: a space separates alternatives (one must hold), a comma separates clauses (all must hold);
// a clause is RULE OP VALUE with the rules cuda, driver, arch, brand and the operators = != < <= > >=. The
// runtime evaluates left to right and stops early: an alternative stops at its first false clause, the
// requirement at its first true alternative, and any malformed clause it reaches refuses the container.

/** The GPU host, as far as it is known: an undefined fact leaves the clauses that need it undecided. */
export interface GpuHost {
  /** The CUDA version the driver reports (`major.minor`), as Runpod's `cudaVersion` carries it. */
  readonly cuda?: string
  /** The full driver version (`535.183.01`), when known. */
  readonly driver?: string
  /** The driver branch (`535`), when only that is known: every driver of it is `535.x`. */
  readonly driverBranch?: number
  /** The brand as libnvidia-container names it, lowercase (`nvidia`, `geforce`, `nvidiartx`…). */
  readonly brand?: string
  /** The GPU's compute capability (`9.0`). */
  readonly arch?: string
}

/** One `--require` the toolkit passes to the runtime, and the variable it comes from. */
export interface Requirement {
  /** `NVIDIA_REQUIRE_CUDA`, or `CUDA_VERSION` for the floor a legacy image gets. */
  readonly source: string
  readonly text: string
}

/** What the toolkit checks for a container env. */
export interface RequirementList {
  /** NVIDIA_DISABLE_REQUIRE's value when it switches the checks off. */
  readonly disabledBy?: string
  readonly requirements: readonly Requirement[]
  /** A CUDA_VERSION the toolkit cannot parse in a legacy image: the start fails on every host. */
  readonly badCudaVersion?: string
}

export type Verdict = 'starts' | 'refused' | 'unknown'

/** How one requirement fares on a host: the outcomes its evaluation may have, given what is known. */
export interface RequirementOutcome {
  readonly requirement: Requirement
  readonly satisfied: boolean
  readonly unsatisfied: boolean
  readonly invalid: boolean
  /** The first alternative that surely holds, when one does (what lets the container start). */
  readonly holdsBy?: string
}

export interface RequirementJudgement {
  readonly verdict: Verdict
  readonly list: RequirementList
  readonly outcomes: readonly RequirementOutcome[]
  /** Refused: the requirement that fails and the runtime's error line for it. */
  readonly refusal?: { readonly requirement: Requirement; readonly message: string }
  /** Unknown: the requirements whose outcome depends on what is not known of the host. */
  readonly undecided: readonly Requirement[]
}

const PREFIX = 'NVIDIA_REQUIRE_'
const JETPACK = 'NVIDIA_REQUIRE_JETPACK'

/** Go's strconv.ParseBool true values: the only ones that switch the checks off. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])

/**
 * The requirements of a container env (the image's env with the target's over it): every NVIDIA_REQUIRE_*
 * value but JETPACK's, in name order (the toolkit's order is random), plus `cuda>=MAJOR.MINOR` of CUDA_VERSION
 * when NVIDIA_REQUIRE_CUDA is absent or empty.
 */
export function requirementsOf(env: ReadonlyMap<string, string>): RequirementList {
  const disable = env.get('NVIDIA_DISABLE_REQUIRE')
  if (disable !== undefined && GO_TRUE.has(disable)) return { disabledBy: disable, requirements: [] }
  const requirements: Requirement[] = [...env]
    .filter(([name]) => name.startsWith(PREFIX) && !name.startsWith(JETPACK))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, text]) => ({ source, text }))
  const legacy = env.get('CUDA_VERSION') ?? ''
  if (legacy === '' || (env.get('NVIDIA_REQUIRE_CUDA') ?? '') !== '') return { requirements }
  const majorMinor = legacyMajorMinor(legacy)
  if (majorMinor === undefined) return { requirements, badCudaVersion: legacy }
  return { requirements: [...requirements, { source: 'CUDA_VERSION', text: `cuda>=${majorMinor}` }] }
}

/**
 * MAJOR.MINOR of a legacy CUDA_VERSION, read as the toolkit reads it: a semantic version (an optional leading
 * `v`, `12` and `12.8` as short forms, no leading zeros, pre-release and build only after a full
 * MAJOR.MINOR.PATCH) whose numbers fit 32 bits; undefined when it is not one.
 */
export function legacyMajorMinor(version: string): string | undefined {
  const text = version.startsWith('v') ? version.slice(1) : version
  const number = '(0|[1-9]\\d*)'
  const identifier = '[0-9A-Za-z-]+'
  const prerelease = `(?:-(?:${identifier})(?:\\.${identifier})*)?`
  const build = `(?:\\+${identifier}(?:\\.${identifier})*)?`
  const match =
    new RegExp(`^${number}(?:\\.${number})?$`).exec(text) ??
    new RegExp(`^${number}\\.${number}\\.${number}${prerelease}${build}$`).exec(text)
  if (!match) return undefined
  // A numeric pre-release identifier must not have a leading zero either.
  const pre = /-([^+]*)/.exec(text.slice(match[1]!.length))?.[1]
  if (pre && pre.split('.').some((part) => /^0\d+$/.test(part))) return undefined
  const [major, minor = '0'] = [match[1]!, match[2]]
  if (Number(major) > 0xffffffff || Number(minor) > 0xffffffff) return undefined
  return `${major}.${minor}`
}

/** The runtime's error line for a requirement that fails: it quotes the first alternative, verbatim. */
export function runtimeMessage(requirement: string): string {
  const first = requirement.split(' ')[0] ?? ''
  return first.startsWith('cuda>=')
    ? `unsatisfied condition: ${first}, please update your driver to a newer version, or use an earlier cuda container`
    : `unsatisfied condition: ${first}`
}

export const INVALID_MESSAGE = 'invalid expression'

/** Whether the container starts on the host, as far as the host is known, and why. */
export function judgeRequirements(env: ReadonlyMap<string, string>, host: GpuHost): RequirementJudgement {
  const list = requirementsOf(env)
  if (list.badCudaVersion !== undefined) {
    const requirement = { source: 'CUDA_VERSION', text: list.badCudaVersion }
    return {
      verdict: 'refused',
      list,
      outcomes: [],
      refusal: {
        requirement,
        message: `invalid CUDA version ${JSON.stringify(list.badCudaVersion)} in CUDA_VERSION (the toolkit cannot read it, so the container does not start on any host)`
      },
      undecided: []
    }
  }
  const outcomes = list.requirements.map((requirement) => evaluateRequirement(requirement, host))
  // Any requirement that surely fails refuses the container, whichever the runtime happens to check first.
  const failing =
    outcomes.find((outcome) => !outcome.satisfied && outcome.invalid && !outcome.unsatisfied) ??
    outcomes.find((outcome) => !outcome.satisfied && (outcome.invalid || outcome.unsatisfied))
  if (failing) {
    const message = failing.invalid && !failing.unsatisfied ? INVALID_MESSAGE : runtimeMessage(failing.requirement.text)
    return {
      verdict: 'refused',
      list,
      outcomes,
      refusal: { requirement: failing.requirement, message },
      undecided: []
    }
  }
  const undecided = outcomes.filter((outcome) => outcome.unsatisfied || outcome.invalid)
  return {
    verdict: undecided.length === 0 ? 'starts' : 'unknown',
    list,
    outcomes,
    undecided: undecided.map((outcome) => outcome.requirement)
  }
}

type Truth = boolean | 'undecided'

interface Clause {
  readonly rule: string
  readonly operator: Operator
  readonly value: string
}

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>='
const OPERATORS: readonly string[] = ['=', '!=', '<', '<=', '>', '>=']

/**
 * Every outcome the runtime's evaluation of one requirement may have on a host that matches what is known: one
 * when all it reaches is decided, several when an undecided clause could go either way.
 */
export function evaluateRequirement(requirement: Requirement, host: GpuHost): RequirementOutcome {
  const outcomes = { satisfied: false, unsatisfied: false, invalid: false }
  let holdsBy: string | undefined
  // The results the evaluation may be carrying when it reaches the next alternative (none yet: satisfied).
  let carried = new Set<boolean>([true])
  let reached = true
  for (const alternative of requirement.text.split(' ')) {
    if (alternative === '' || !reached) continue
    const clauses = alternative.split(',').filter((clause) => clause !== '')
    // An alternative of commas alone ends the evaluation with what it carries.
    if (clauses.length === 0) {
      for (const result of carried) outcomes[result ? 'satisfied' : 'unsatisfied'] = true
      reached = false
      continue
    }
    // Walk the clauses: `going` is whether the walk may still be under way.
    let going = true
    let mayFail = false
    for (const text of clauses) {
      const clause = parseClause(text)
      const truth = clause ? decide(clause, host) : 'invalid'
      if (truth === 'invalid') {
        outcomes.invalid = true
        going = false
        break
      }
      if (truth === false) {
        mayFail = true
        going = false
        break
      }
      if (truth === 'undecided') mayFail = true
    }
    if (going) {
      outcomes.satisfied = true
      if (!mayFail) {
        holdsBy ??= alternative
        reached = false
        continue
      }
    }
    if (!mayFail) {
      // Invalid on every path that reaches it: nothing after it is evaluated.
      reached = false
      continue
    }
    carried = new Set([false])
  }
  if (reached) for (const result of carried) outcomes[result ? 'satisfied' : 'unsatisfied'] = true
  return { requirement, ...outcomes, ...(holdsBy === undefined ? {} : { holdsBy }) }
}

/** RULE OP VALUE, the operator being the whole run of `<>=!` after the rule; undefined when malformed. */
function parseClause(text: string): Clause | undefined {
  const start = text.search(/[<>=!]/)
  if (start <= 0) return undefined
  const run = /^[<>=!]+/.exec(text.slice(start))?.[0] ?? ''
  const value = text.slice(start + run.length)
  if (!OPERATORS.includes(run) || value === '') return undefined
  return { rule: text.slice(0, start).toLowerCase(), operator: run as Operator, value }
}

function decide(clause: Clause, host: GpuHost): Truth | 'invalid' {
  switch (clause.rule) {
    case 'brand':
      if (clause.operator !== '=' && clause.operator !== '!=') return 'invalid'
      if (host.brand === undefined) return 'undecided'
      return (host.brand.toLowerCase() === clause.value.toLowerCase()) === (clause.operator === '=')
    case 'cuda':
      return versionClause(host.cuda, clause)
    case 'arch':
      return versionClause(host.arch, clause)
    case 'driver':
      if (!isVersionValue(clause.value)) return 'invalid'
      if (host.driver !== undefined) return compareVersions(host.driver, clause.operator, clause.value)
      return host.driverBranch === undefined ? 'undecided' : branchClause(host.driverBranch, clause)
    default:
      return 'invalid'
  }
}

function versionClause(hostValue: string | undefined, clause: Clause): Truth | 'invalid' {
  if (!isVersionValue(clause.value)) return 'invalid'
  return hostValue === undefined ? 'undecided' : compareVersions(hostValue, clause.operator, clause.value)
}

/** Digits and dots, starting with a digit: anything else makes the clause malformed. */
function isVersionValue(value: string): boolean {
  return /^\d[\d.]*$/.test(value)
}

/** Versions component by component as integers; missing components count as zero (12.4 < 12.4.1). */
export function compareVersionParts(a: string, b: string): number {
  const parts = (version: string) =>
    version
      .split('.')
      .filter((part) => part !== '')
      .map((part) => BigInt(part))
  const [left, right] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [x = 0n, y = 0n] = [left[i], right[i]]
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

function compareVersions(hostValue: string, operator: Operator, value: string): boolean {
  return holds(compareVersionParts(hostValue, value), operator)
}

function holds(order: number, operator: Operator): boolean {
  switch (operator) {
    case '=':
      return order === 0
    case '!=':
      return order !== 0
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    case '>=':
      return order >= 0
  }
}

/**
 * A driver clause when only the branch is known: every driver of branch B is B.x.y with x.y above zero, so it
 * lies strictly between `B` and `B+1`. A value inside the branch (`535.104`) cannot be decided.
 */
function branchClause(branch: number, clause: Clause): Truth {
  const value = clause.value
  const major = Number(value.split('.')[0])
  const rest = value.split('.').slice(1)
  if (major < branch) return holds(1, clause.operator)
  if (major > branch) return holds(-1, clause.operator)
  if (rest.some((part) => /[1-9]/.test(part))) return 'undecided'
  // The value is B itself: the driver is above it.
  return holds(1, clause.operator)
}

/** The `cuda>=` values of a requirement's alternatives. */
export function cudaFloorsOf(requirement: string): string[] {
  return requirement
    .split(' ')
    .flatMap((alternative) => alternative.split(','))
    .flatMap((clause) => {
      const parsed = parseClause(clause)
      return parsed && parsed.rule === 'cuda' && parsed.operator === '>=' && isVersionValue(parsed.value)
        ? [parsed.value]
        : []
    })
}
