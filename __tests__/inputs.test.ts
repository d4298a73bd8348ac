import { describe, expect, it } from '@jest/globals'
import { parseInputs, type DeployInputs } from '../src/inputs.js'
import { RUNPOD_DEPLOYMENT_ROLES } from '../src/policy/runpod-statement.js'

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1'

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}

function deploy(values: Record<string, string>, env: NodeJS.ProcessEnv = {}): DeployInputs {
  const inputs = parseInputs(reader({ image: IMAGE, 'runpod-api-key': 'key', ...values }), env)
  if (inputs.mode === 'lint') throw new Error('expected deploy inputs')
  return inputs
}

describe('parseInputs', () => {
  it('applies the documented defaults', () => {
    const inputs = deploy({})
    expect(inputs).toMatchObject({
      mode: 'deploy',
      policy: 'apply',
      registryAuth: 'delegation',
      roleSessionName: 'runpod-ecr-deploy',
      audience: 'sts.amazonaws.com',
      pinDigest: false,
      wait: true,
      waitTimeoutSeconds: 900,
      rollback: true,
      podIds: [],
      endpointIds: []
    })
    expect(inputs.runpodPrincipals).toEqual(RUNPOD_DEPLOYMENT_ROLES)
    expect(inputs.runpodApiUrl.href).toBe('https://api.runpod.io/')
    expect(inputs).not.toHaveProperty('roleToAssume')
  })

  it('defaults policy to skip in token mode', () => {
    expect(deploy({ 'registry-auth': 'token' }).policy).toBe('skip')
    expect(deploy({ 'registry-auth': 'token', policy: 'verify' }).policy).toBe('verify')
  })

  it('splits ids on commas and newlines and drops duplicates', () => {
    expect(deploy({ 'pod-id': 'a, b\nc,,a\n' }).podIds).toEqual(['a', 'b', 'c'])
    expect(deploy({ 'endpoint-id': 'e1\ne2' }).endpointIds).toEqual(['e1', 'e2'])
  })

  it('refuses ids separated by spaces, naming the input', () => {
    expect(() => parseInputs(reader({ image: 'x', 'runpod-api-key': 'k', 'pod-id': 'abc123 def456' }), {})).toThrow(
      /Input 'pod-id' has 'abc123 def456', which holds a space.*'abc123, def456'/
    )
    expect(() => parseInputs(reader({ image: 'x', 'runpod-api-key': 'k', 'endpoint-id': 'e1,\ne2 e3' }), {})).toThrow(
      /Input 'endpoint-id' has 'e2 e3'/
    )
  })

  it('takes the API key from RUNPOD_API_KEY when the input is empty', () => {
    const inputs = parseInputs(reader({ image: IMAGE }), { RUNPOD_API_KEY: 'from-env' })
    expect(inputs.mode !== 'lint' && inputs.runpodApiKey).toBe('from-env')
  })

  it.each([
    [{ mode: 'deploy', image: '' }, /Input 'image' is required/],
    [{ 'runpod-api-key': '' }, /Input 'runpod-api-key' is required/],
    [{ mode: 'rollout' }, /Input 'mode' is 'rollout'.*deploy, verify, lint/],
    [{ wait: 'yes please' }, /Input 'wait'.*'true' or 'false'/],
    [{ 'wait-timeout': '-5' }, /Input 'wait-timeout'/],
    [{ 'runpod-api-url': 'http://api.runpod.io' }, /Input 'runpod-api-url'.*https/],
    [{ 'runpod-api-url': 'not a url' }, /Input 'runpod-api-url'.*not a URL/],
    [{ 'role-to-assume': 'my-role' }, /Input 'role-to-assume'.*role ARN/],
    [{ 'runpod-principals': 'runpod' }, /Input 'runpod-principals'/],
    [{ 'aws-region': 'Virginia' }, /Input 'aws-region'/],
    [{ policy: 'force' }, /Input 'policy'/],
    [{ 'registry-auth': 'password' }, /Input 'registry-auth'/]
  ])('rejects %j with a message naming the input', (values, message) => {
    expect(() => parseInputs(reader({ image: IMAGE, 'runpod-api-key': 'key', ...values }), {})).toThrow(message)
  })

  it('allows plain http only for loopback hosts', () => {
    expect(deploy({ 'runpod-api-url': 'http://127.0.0.1:8080' }).runpodApiUrl.port).toBe('8080')
    expect(deploy({ 'runpod-api-url': 'http://localhost:1' }).runpodApiUrl.hostname).toBe('localhost')
    expect(deploy({ 'runpod-api-url': 'http://[::1]:1' }).runpodApiUrl.hostname).toBe('[::1]')
  })

  it('reads runpod-principals in lint mode too, and checks them', () => {
    const puller = 'arn:aws:iam::111111111111:role/puller'
    const lint = (principals: string) =>
      parseInputs(reader({ mode: 'lint', 'policy-file': 'a.json', 'runpod-principals': principals }), {})
    expect(lint(puller)).toMatchObject({ runpodPrincipals: [puller] })
    expect(() => lint('not-an-arn')).toThrow(/Input 'runpod-principals' has 'not-an-arn'/)
  })

  it('needs policy files in lint mode and nothing else', () => {
    expect(() => parseInputs(reader({ mode: 'lint' }), {})).toThrow(/Input 'policy-file' is required/)
    expect(parseInputs(reader({ mode: 'lint', 'policy-file': 'a.json\n# comment\nb/*.json' }), {})).toEqual({
      mode: 'lint',
      policyFiles: ['a.json', 'b/*.json'],
      registryPolicyFiles: [],
      runpodPrincipals: RUNPOD_DEPLOYMENT_ROLES,
      failOn: 'error'
    })
    expect(parseInputs(reader({ mode: 'lint', 'registry-policy-file': 'registry.json' }), {})).toMatchObject({
      policyFiles: [],
      registryPolicyFiles: ['registry.json']
    })
  })
})

describe('smoke test and canary inputs', () => {
  it('parses the job, the expected output and the timeout, and defaults the job API to api.runpod.ai', () => {
    const inputs = deploy({
      'endpoint-id': 'e1',
      'smoke-test': '{"input": {"prompt": "ping"}}',
      'smoke-expect': '{"status": "ok"}'
    })
    expect(inputs.smoke).toEqual({ body: { input: { prompt: 'ping' } }, expect: { status: 'ok' }, timeoutSeconds: 300 })
    expect(inputs.runpodServerlessUrl.href).toBe('https://api.runpod.ai/')
    expect(deploy({})).not.toHaveProperty('smoke')
  })

  it.each([
    [{ 'smoke-test': '{"input": ' }, /Input 'smoke-test' is not valid JSON/],
    [{ 'smoke-test': '{"prompt": "ping"}' }, /must be a JSON object with an "input" field/],
    [{ 'smoke-test': '[1]' }, /must be a JSON object with an "input" field/],
    [{ 'smoke-test': '{"input": {}}', wait: 'false' }, /'smoke-test' needs 'wait: true'/],
    [{ 'smoke-expect': '{}' }, /'smoke-expect' is set without 'smoke-test'/],
    [{ 'smoke-test': '{"input": {}}', 'smoke-expect': 'ok' }, /Input 'smoke-expect' is not valid JSON/],
    [
      { 'smoke-test': '{"input": {}}', 'smoke-timeout': '5m' },
      /Input 'smoke-timeout' is '5m': give a whole number of seconds/
    ],
    [
      { 'runpod-serverless-url': 'http://api.runpod.ai' },
      /Input 'runpod-serverless-url' is 'http:\/\/api\.runpod\.ai': the API key may only be sent over https/
    ],
    [{ 'pod-id': 'p1', canary: 'p2' }, /Input 'canary' is 'p2', which is none of the targets: .*\(p1\)/],
    [{ 'pod-id': 'p1', canary: 'p1', wait: 'false' }, /'canary' needs 'wait: true'/]
  ])('refuses %j, saying what to do', (values, message) => {
    expect(() => deploy(values)).toThrow(message)
  })

  it('takes a canary among the pods or the endpoints', () => {
    expect(deploy({ 'pod-id': 'p1', 'endpoint-id': 'e1,e2', canary: 'e2' }).canary).toBe('e2')
  })
})
