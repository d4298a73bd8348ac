// Request body schemas of the simulator, written from Runpod's v2 OpenAPI document (not copied from it):
// the subset of fields the simulator understands, with the document's `unevaluatedProperties: false`
// so that a client sending a field the real API would reject is rejected here too.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'

const containerConfig = {
  type: 'object',
  properties: {
    image: { type: 'string' },
    args: { type: 'string' },
    disk: { type: 'integer', minimum: 1 },
    env: { type: 'object', additionalProperties: { type: 'string' } },
    ports: { type: 'array', items: { type: 'string' } },
    registry: { type: ['string', 'null'] }
  }
} as const

export const REQUEST_SCHEMAS = {
  CreateDelegationRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['resource'],
    properties: { resource: { type: 'string' }, name: { type: ['string', 'null'] } }
  },
  CreateRegistryRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'username', 'password'],
    properties: {
      name: { type: 'string', minLength: 1 },
      username: { type: 'string', minLength: 1 },
      password: { type: 'string', minLength: 1 }
    }
  },
  UpdatePodRequest: {
    type: 'object',
    allOf: [
      containerConfig,
      { type: 'object', properties: { name: { type: 'string', minLength: 1 }, locked: { type: 'boolean' } } }
    ],
    unevaluatedProperties: false
  },
  UpdateEndpointRequest: {
    type: 'object',
    allOf: [
      containerConfig,
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          // UpdateEndpointGpuConfig: every field optional; excludedTypes only with pools; CUDA as major.minor.
          gpu: {
            type: 'object',
            properties: {
              pools: { type: 'array', minItems: 1, items: { type: 'string' } },
              excludedTypes: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^\\s*[^-\\s]' } },
              count: { type: 'integer', minimum: 1 },
              allowedCudaVersions: { type: 'array', items: { type: 'string', pattern: '^\\d+\\.\\d+$' } },
              minCudaVersion: { type: 'string', pattern: '^$|^\\d+\\.\\d+$' }
            },
            dependentRequired: { excludedTypes: ['pools'] },
            unevaluatedProperties: false
          }
        }
      }
    ],
    unevaluatedProperties: false
  },
  UpdateTemplateRequest: {
    type: 'object',
    allOf: [
      containerConfig,
      {
        type: 'object',
        properties: {
          allowedCudaVersions: { type: 'array', items: { type: 'string', pattern: '^\\d+\\.\\d+$' } },
          category: { enum: ['CPU', 'NVIDIA', 'AMD'] },
          name: { type: 'string', minLength: 1 },
          public: { type: 'boolean' },
          serverless: { type: 'boolean' },
          startJupyter: { type: 'boolean' },
          startSsh: { type: 'boolean' }
        }
      }
    ],
    unevaluatedProperties: false
  }
} as const

export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
const validators = Object.fromEntries(
  Object.entries(REQUEST_SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)])
) as Record<RequestSchemaName, ReturnType<typeof ajv.compile>>

/** Validation failures in the style of Runpod's problem `errors` (`$.path: message`); empty when valid. */
export function validateRequest(name: RequestSchemaName, body: unknown): string[] {
  const validate = validators[name]
  if (validate(body)) return []
  return (validate.errors ?? []).map(describe)
}

function describe(error: ErrorObject): string {
  const at = `$${error.instancePath.replace(/\//g, '.')}`
  if (error.keyword === 'unevaluatedProperties' || error.keyword === 'additionalProperties') {
    const params = error.params as { unevaluatedProperty?: string; additionalProperty?: string }
    return `${at}: additional properties '${params.unevaluatedProperty ?? params.additionalProperty}' not allowed`
  }
  return `${at}: ${error.message ?? error.keyword}`
}
