// jsonc-parser declares the types of its main module only; document.ts imports its parser module alone.
declare module 'jsonc-parser/lib/umd/impl/parser.js' {
  export { getNodeValue, parseTree } from 'jsonc-parser'
}
