// One policy text, parsed, linted and judged once: the value a deploy's plan, the merge and the report share,
// so no step parses or judges the same text again.
import { parsePolicy, type PolicyDocument } from './document.js'
import { analyzePolicies, type GrantAnalysis } from './grant.js'
import { lintDocument, type Finding, type PolicyKind } from './lint.js'

export interface PolicyReview {
  readonly text: string
  readonly doc: PolicyDocument
  /** Every lint finding, sorted by position. */
  readonly findings: readonly Finding[]
  /** The verdict of this policy alone (for a registry policy: on the repository it was reviewed for). */
  readonly grant: GrantAnalysis
}

export function reviewPolicy(
  text: string,
  file: string,
  principals: readonly string[],
  kind: PolicyKind = { kind: 'repository' }
): PolicyReview {
  const doc = parsePolicy(text)
  const resource = kind.kind === 'registry' ? kind.repository : undefined
  return {
    text,
    doc,
    findings: lintDocument(doc, text, file, principals, kind),
    grant: analyzePolicies([{ name: file, doc, ...(resource ? { resource } : {}) }], principals)
  }
}
