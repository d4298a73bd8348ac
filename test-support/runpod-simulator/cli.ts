// Starts the Runpod simulator for the local demo: `npx tsx test-support/runpod-simulator/cli.ts
// [--port N] [--api-key KEY] [--envelope bare|data] [--pod ID=IMAGE[::fail|::stall]]… [--endpoint ID=IMAGE[::WORKERS][::fail|::stall]]…`
// Prints the URL and key, and a line per request; stops on Ctrl-C.
import { parseArgs } from 'node:util'
import { startRunpodSimulator, type RolloutScript } from './index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'api-key': { type: 'string' },
    envelope: { type: 'string', default: 'bare' },
    pod: { type: 'string', multiple: true, default: [] },
    endpoint: { type: 'string', multiple: true, default: [] }
  }
})

const scripts: readonly string[] = ['succeed', 'fail', 'stall']
const script = (word: string | undefined): RolloutScript | undefined =>
  word !== undefined && scripts.includes(word) ? (word as RolloutScript) : undefined

function seed(spec: string): { id: string; image: string; options: string[] } {
  const [id, rest] = spec.split(/=(.*)/s)
  if (!id || !rest) throw new Error(`expected ID=IMAGE, got '${spec}'`)
  // Options follow the image after '::' so that a tag's ':' stays part of the image.
  const [image = '', ...options] = rest.split('::')
  return { id, image, options }
}

const simulator = await startRunpodSimulator({
  port: Number(values.port),
  envelope: values.envelope === 'data' ? 'data' : 'bare',
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {})
})
for (const spec of values.pod) {
  const { id, image, options } = seed(spec)
  const rollout = script(options[0])
  simulator.addPod({ id, image, ...(rollout ? { rollout } : {}) })
}
for (const spec of values.endpoint) {
  const { id, image, options } = seed(spec)
  const workers = options.find((option) => /^\d+$/.test(option))
  const rollout = script(options.find((option) => !/^\d+$/.test(option)))
  simulator.addEndpoint({
    id,
    image,
    ...(workers ? { workers: Number(workers) } : {}),
    ...(rollout ? { rollout } : {})
  })
}

console.log(`Runpod simulator listening on ${simulator.url}`)
console.log(`RUNPOD_API_URL=${simulator.url}`)
console.log(`RUNPOD_API_KEY=${simulator.apiKey}`)

let logged = 0
const timer = setInterval(() => {
  for (const request of simulator.requests.slice(logged))
    console.log(`${request.time.toISOString()} ${request.method} ${request.path}${request.query}`)
  logged = simulator.requests.length
}, 250)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    clearInterval(timer)
    void simulator.close().then(() => process.exit(0))
  })
}
