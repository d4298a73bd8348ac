// undici publishes types for its index only; these are the single modules the action loads instead of it.
declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  const EnvHttpProxyAgent: typeof import('undici').EnvHttpProxyAgent
  export default EnvHttpProxyAgent
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const Dispatcher: typeof import('undici').Dispatcher
  export default Dispatcher
}
/** The request, stream, pipeline, upgrade and connect methods undici's index puts on every dispatcher. */
declare module 'undici/lib/api/index.js' {
  const api: Record<string, unknown>
  export default api
}
