// Lint mode reads and writes files a pull request may control: a path input with `..`, an absolute path, or
// a symbolic link committed in the pull request must not lead outside the workspace. Paths are judged as the
// file system resolves them (symbolic links followed), against the workspace resolved the same way. The
// calls are synchronous: a lint reads a few small files, and node:fs/promises costs every lint its loading.
import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../errors.js'

export interface Workspace {
  /** As given (GITHUB_WORKSPACE), for resolving relative inputs and showing relative paths. */
  readonly root: string
  /** With symbolic links resolved. */
  readonly real: string
}

export function openWorkspace(root: string): Workspace {
  return { root, real: realpathSync(root) }
}

function contains(parent: string, child: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** `pattern` as an absolute path, when it stays in the workspace before any file is matched. */
export function workspacePattern(workspace: Workspace, pattern: string, input: string): string {
  const resolved = path.resolve(workspace.root, pattern)
  if (!contains(workspace.root, resolved)) throw outside(input, pattern, workspace)
  return resolved
}

/** A file to read: refused when it, or a link on its way, resolves outside the workspace. */
export function checkReadable(workspace: Workspace, file: string, input: string): void {
  const real = realpathSync(file)
  if (!contains(workspace.real, real)) throw outside(input, path.relative(workspace.root, file), workspace, real)
}

/**
 * A file to write: its path must stay in the workspace, the deepest folder that exists must resolve inside
 * it, and an existing file there must not be a link that leads out.
 */
export function checkWritable(workspace: Workspace, target: string, input: string): string {
  const resolved = workspacePattern(workspace, target, input)
  let existing = resolved
  for (;;) {
    if (exists(existing)) break
    const parent = path.dirname(existing)
    if (parent === existing) break
    existing = parent
  }
  const real = realpathSync(existing)
  if (!contains(workspace.real, real)) throw outside(input, target, workspace, real)
  return resolved
}

/** Whether anything (a link too) is at `file`; any error, not only a missing entry, counts as nothing there. */
function exists(file: string): boolean {
  try {
    lstatSync(file)
    return true
  } catch {
    return false
  }
}

function outside(input: string, value: string, workspace: Workspace, real?: string): ActionError {
  const via = real ? ` (it resolves to ${real}, through a symbolic link)` : ''
  return new ActionError(
    `Input '${input}': '${value}' is outside the workspace ${workspace.root}${via}. Lint mode reads and writes files in the checked-out repository only: give a path relative to the repository root, without '..', and not through a symbolic link that leads out of it.`
  )
}
