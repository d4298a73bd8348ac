// A CloudFormation template as CloudFormation reads it, for the tests of infra/: the YAML with its short-form
// tags, the intrinsic functions the template uses resolved as CloudFormation's documentation defines them
// (AWS::NoValue removes a property or a list element; conditions gate resources), and every resource checked
// against CloudFormation's resource specification (@aws-cdk/aws-service-spec). moto creates the stack in the
// integration test, but resolves less than CloudFormation does (Fn::Or over conditions, AWS::NoValue in a
// list): what the role may do is judged on this resolution.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec'
import { parse, type Tags } from 'yaml'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const FUNCTIONS = ['Sub', 'Join', 'Split', 'Select', 'If', 'Equals', 'Not', 'Or', 'And', 'GetAtt'] as const

/** CloudFormation's short forms (`!Ref X`, `!Sub …`) as the long forms (`{Ref: X}`, `{"Fn::Sub": …}`). */
const SHORT_FORMS: Tags = ['!Ref', '!Condition', ...FUNCTIONS.map((name) => `!${name}`)].flatMap((tag) => {
  const key = tag === '!Ref' ? 'Ref' : tag === '!Condition' ? 'Condition' : `Fn::${tag.slice(1)}`
  // `!GetAtt Resource.Attribute` is the list form's short hand.
  const scalar = (value: string) => ({ [key]: key === 'Fn::GetAtt' ? value.split('.') : value })
  const collection = (value: unknown) => ({ [key]: plain(value) })
  return [
    { tag, resolve: scalar },
    { tag, collection: 'seq' as const, resolve: collection },
    { tag, collection: 'map' as const, resolve: collection }
  ]
}) as Tags

function plain(value: unknown): Json {
  const node = value as { toJSON?: () => Json }
  return typeof node?.toJSON === 'function' ? node.toJSON() : (value as Json)
}

export interface Template {
  readonly Parameters: Record<
    string,
    { Type: string; Default?: string; AllowedValues?: string[]; AllowedPattern?: string }
  >
  readonly Conditions: Record<string, Json>
  readonly Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, Json> }>
  readonly Outputs: Record<string, { Value: Json; Condition?: string }>
}

export function parseTemplate(text: string): Template {
  return parse(text, { customTags: SHORT_FORMS, strict: true, uniqueKeys: true }) as Template
}

export interface StackContext {
  readonly account: string
  readonly region: string
  readonly partition?: string
  readonly stackName?: string
}

export interface ResolvedStack {
  readonly resources: Record<string, { readonly Type: string; readonly Properties: Record<string, Json> }>
  readonly outputs: Record<string, Json>
}

const NO_VALUE = Symbol('AWS::NoValue')

/** The stack CloudFormation would create from the template with these parameters (defaults filled in). */
export function resolveTemplate(
  template: Template,
  given: Record<string, string>,
  context: StackContext
): ResolvedStack {
  const parameters: Record<string, Json> = {}
  for (const [name, spec] of Object.entries(template.Parameters)) {
    const value = given[name] ?? spec.Default
    if (value === undefined) throw new Error(`Parameter ${name} has no value`)
    if (spec.AllowedValues && !spec.AllowedValues.includes(value))
      throw new Error(`Parameter ${name}: ${value} is not one of ${spec.AllowedValues.join(', ')}`)
    if (spec.AllowedPattern && !new RegExp(spec.AllowedPattern).test(value))
      throw new Error(`Parameter ${name}: ${value} does not match ${spec.AllowedPattern}`)
    parameters[name] = spec.Type === 'CommaDelimitedList' ? value.split(',').map((item) => item.trim()) : value
  }
  for (const name of Object.keys(given))
    if (!(name in template.Parameters)) throw new Error(`The template has no parameter ${name}`)
  const partition = context.partition ?? 'aws'
  const pseudo: Record<string, Json> = {
    'AWS::AccountId': context.account,
    'AWS::Region': context.region,
    'AWS::Partition': partition,
    'AWS::StackName': context.stackName ?? 'stack',
    'AWS::URLSuffix': 'amazonaws.com'
  }
  const conditions = new Map<string, boolean>()
  const condition = (name: string): boolean => {
    const known = conditions.get(name)
    if (known !== undefined) return known
    const body = template.Conditions[name]
    if (body === undefined) throw new Error(`No condition ${name}`)
    const value = resolve(body) === true
    conditions.set(name, value)
    return value
  }
  const created = (logicalId: string) => {
    const resource = template.Resources[logicalId]
    return resource !== undefined && (resource.Condition === undefined || condition(resource.Condition))
  }
  const physical: Record<string, (attribute?: string) => Json> = {}
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    physical[logicalId] = (attribute) => {
      if (!created(logicalId)) throw new Error(`${logicalId} is referenced but not created`)
      const properties = resource.Properties ?? {}
      if (resource.Type === 'AWS::IAM::Role') {
        const name = resolve(properties['RoleName'] ?? NO_VALUE_JSON)
        const roleName = typeof name === 'string' ? name : `${pseudo['AWS::StackName'] as string}-${logicalId}`
        return attribute === 'Arn' ? `arn:${partition}:iam::${context.account}:role/${roleName}` : roleName
      }
      if (resource.Type === 'AWS::IAM::OIDCProvider') {
        const url = String(resolve(properties['Url'] ?? '')).replace(/^https:\/\//, '')
        return `arn:${partition}:iam::${context.account}:oidc-provider/${url}`
      }
      throw new Error(`No physical id for ${resource.Type}`)
    }
  }

  function resolve(value: Json | typeof NO_VALUE): Json | typeof NO_VALUE {
    if (value === NO_VALUE || value === null || typeof value !== 'object') return value
    if (Array.isArray(value))
      return value.map((item) => resolve(item)).filter((item): item is Json => item !== NO_VALUE)
    const keys = Object.keys(value)
    const [key] = keys
    if (keys.length === 1 && key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')))
      return intrinsic(key, value[key] as Json)
    const out: Record<string, Json> = {}
    for (const [name, item] of Object.entries(value)) {
      const resolved = resolve(item)
      if (resolved !== NO_VALUE) out[name] = resolved
    }
    return out
  }

  function list(value: Json | typeof NO_VALUE): Json[] {
    if (!Array.isArray(value)) throw new Error(`Expected a list, got ${JSON.stringify(value)}`)
    return value
  }

  function text(value: Json | typeof NO_VALUE): string {
    if (typeof value !== 'string') throw new Error(`Expected a string, got ${JSON.stringify(value)}`)
    return value
  }

  function intrinsic(name: string, argument: Json): Json | typeof NO_VALUE {
    switch (name) {
      case 'Ref': {
        const target = text(argument)
        if (target === 'AWS::NoValue') return NO_VALUE
        if (target in pseudo) return pseudo[target] ?? null
        if (target in parameters) return parameters[target] ?? null
        const resource = physical[target]
        if (resource) return resource()
        throw new Error(`Ref to unknown ${target}`)
      }
      case 'Condition':
        return condition(text(argument))
      case 'Fn::If': {
        const [test, yes, no] = list(argument)
        return resolve(condition(text(test ?? null)) ? (yes ?? null) : (no ?? null))
      }
      case 'Fn::Equals': {
        const [a, b] = list(argument).map((item) => resolve(item))
        return JSON.stringify(a) === JSON.stringify(b)
      }
      case 'Fn::Not':
        return resolve(list(argument)[0] ?? null) !== true
      case 'Fn::Or':
        return list(argument).some((item) => resolve(item) === true)
      case 'Fn::And':
        return list(argument).every((item) => resolve(item) === true)
      case 'Fn::Join': {
        const [delimiter, items] = list(argument)
        // CloudFormation takes no function as the delimiter: a string only.
        if (typeof delimiter !== 'string') throw new Error('Fn::Join takes a string delimiter, not a function')
        return list(resolve(items ?? null))
          .map((item) => text(item))
          .join(delimiter)
      }
      case 'Fn::Split': {
        const [delimiter, source] = list(argument)
        if (typeof delimiter !== 'string') throw new Error('Fn::Split takes a string delimiter')
        return text(resolve(source ?? null)).split(delimiter)
      }
      case 'Fn::Select': {
        const [index, items] = list(argument)
        const chosen = list(resolve(items ?? null))[Number(resolve(index ?? null))]
        if (chosen === undefined) throw new Error('Fn::Select index out of range')
        return chosen
      }
      case 'Fn::Sub': {
        const [source, map] = typeof argument === 'string' ? [argument, {}] : list(argument)
        // The template string is taken as written: values substituted into it are not substituted again.
        if (typeof source !== 'string') throw new Error('Fn::Sub takes a string, not a function')
        const variables = (map ?? {}) as Record<string, Json>
        return source.replace(/\$\{([^}!]+)\}/g, (_, variable: string) => {
          if (variable in variables) return text(resolve(variables[variable] ?? null))
          if (variable.includes('.')) {
            const [logicalId = '', attribute] = variable.split('.')
            return text(physical[logicalId]?.(attribute) ?? null)
          }
          return text(intrinsic('Ref', variable))
        })
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = list(argument)
        const resource = physical[text(logicalId ?? null)]
        if (!resource) throw new Error(`Fn::GetAtt of unknown ${JSON.stringify(logicalId)}`)
        return resource(text(attribute ?? null))
      }
      default:
        throw new Error(`Unsupported intrinsic ${name}`)
    }
  }

  const resources: ResolvedStack['resources'] = {}
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!created(logicalId)) continue
    const properties = resolve((resource.Properties ?? {}) as Json)
    resources[logicalId] = { Type: resource.Type, Properties: properties as Record<string, Json> }
  }
  const outputs: Record<string, Json> = {}
  for (const [name, output] of Object.entries(template.Outputs)) {
    if (output.Condition !== undefined && !condition(output.Condition)) continue
    const value = resolve(output.Value)
    if (value !== NO_VALUE) outputs[name] = value
  }
  return { resources, outputs }
}

const NO_VALUE_JSON: Json = { Ref: 'AWS::NoValue' }

interface SpecType {
  readonly type: string
  readonly element?: SpecType
  readonly types?: readonly SpecType[]
  readonly reference?: { readonly $ref: string }
}

interface SpecProperty {
  readonly type: SpecType
  readonly required?: boolean
}

/**
 * What CloudFormation's resource specification says is wrong with the resolved stack: an unknown resource type,
 * an unknown property, a missing required one, or a value of the wrong type. Empty when it is valid.
 */
let database: ReturnType<typeof loadAwsServiceSpecSync> | undefined

export function specProblems(stack: ResolvedStack): string[] {
  database ??= loadAwsServiceSpecSync()
  const db = database
  const problems: string[] = []
  const check = (value: Json, type: SpecType, where: string): void => {
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string') problems.push(`${where}: expected a string`)
        return
      case 'integer':
      case 'number':
        if (typeof value !== 'number') problems.push(`${where}: expected a number`)
        return
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${where}: expected a boolean`)
        return
      case 'json':
        if (typeof value !== 'object' || value === null) problems.push(`${where}: expected a JSON object`)
        return
      case 'array':
        if (!Array.isArray(value)) problems.push(`${where}: expected a list`)
        else value.forEach((item, index) => type.element && check(item, type.element, `${where}[${index}]`))
        return
      case 'union': {
        const before = problems.length
        const fits = (type.types ?? []).some((option) => {
          check(value, option, where)
          const ok = problems.length === before
          problems.length = before
          return ok
        })
        if (!fits) problems.push(`${where}: fits none of its types`)
        return
      }
      case 'ref': {
        const definition = db.get('typeDefinition', type.reference?.$ref ?? '') as unknown as {
          properties: Record<string, SpecProperty>
        }
        checkObject(value, definition.properties, where)
        return
      }
      case 'tag':
        if (typeof value !== 'object' || value === null || !('Key' in value)) problems.push(`${where}: expected a tag`)
        return
      default:
        problems.push(`${where}: a type this check does not know (${type.type})`)
    }
  }
  const checkObject = (value: Json, properties: Record<string, SpecProperty>, where: string): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where}: expected an object`)
      return
    }
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name]
      if (!property) problems.push(`${where}.${name}: no such property`)
      else check(item, property.type, `${where}.${name}`)
    }
    for (const [name, property] of Object.entries(properties))
      if (property.required && !(name in value)) problems.push(`${where}.${name}: required`)
  }
  for (const [logicalId, resource] of Object.entries(stack.resources)) {
    const found = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type)
    if (found.length !== 1) {
      problems.push(`${logicalId}: no resource type ${resource.Type}`)
      continue
    }
    const spec = found.only() as unknown as { properties: Record<string, SpecProperty> }
    checkObject(resource.Properties, spec.properties, logicalId)
  }
  return problems
}
