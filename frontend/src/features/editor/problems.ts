// Where each validation problem belongs: `$.nodes[2].params.prompt` → node n, the params form, field `prompt`.
import type { ErrorSchema } from '@rjsf/utils'
import type { Definition } from './flow'

/** A problem as `validateWorkflow` and `InvalidWorkflow` return it. */
export interface ProblemLike {
  code: string
  message: string
  path?: string | null
  nodeId?: string | null
}

/** Which form of the node panel a problem belongs to, and the field path inside it. */
export interface PlacedProblem {
  problem: ProblemLike
  nodeId: string | null
  form: 'params' | 'settings' | null
  field: (string | number)[]
}

/** `nodes[1].params.cases[0].when` (the server's form; a leading `$` is allowed) → ['nodes', 1, 'params', 'cases', 0, 'when']. */
export function pathSegments(raw: string): (string | number)[] {
  const trimmed = raw.replace(/^\$/, '')
  const path = trimmed.startsWith('.') || trimmed.startsWith('[') ? trimmed : `.${trimmed}`
  const segments: (string | number)[] = []
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1])
    else if (match[2] !== undefined) segments.push(Number(match[2]))
    else segments.push(match[3] ?? match[4] ?? '')
  }
  return segments
}

/** Places one problem on its node and field (the node from `nodeId`, else from the path's index). */
export function placeProblem(problem: ProblemLike, definition: Definition): PlacedProblem {
  const segments = pathSegments(problem.path ?? '')
  let nodeId = problem.nodeId ?? null
  let field: (string | number)[] = []
  let form: PlacedProblem['form'] = null
  if (segments[0] === 'nodes' && typeof segments[1] === 'number') {
    nodeId ??= definition.nodes[segments[1]]?.id ?? null
    const rest = segments.slice(2)
    if (rest[0] === 'params') {
      form = 'params'
      field = rest.slice(1)
    } else if (rest.length && !['id', 'type', 'position'].includes(String(rest[0]))) {
      form = 'settings'
      field = rest
    }
  } else if (nodeId && segments[0] === 'nodes') {
    form = null
  }
  return { problem, nodeId, form, field }
}

/** How many problems each node has. */
export function problemCounts(placed: PlacedProblem[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of placed) if (item.nodeId) counts.set(item.nodeId, (counts.get(item.nodeId) ?? 0) + 1)
  return counts
}

/** The errors of one node's form, as rjsf's `extraErrors` (shown next to each field). */
export function fieldErrors(placed: PlacedProblem[], nodeId: string, form: 'params' | 'settings'): ErrorSchema {
  const root: Record<string, unknown> = {}
  for (const item of placed) {
    if (item.nodeId !== nodeId || item.form !== form) continue
    let cursor = root
    for (const segment of item.field) {
      const key = String(segment)
      cursor[key] ??= {}
      cursor = cursor[key] as Record<string, unknown>
    }
    const errors = (cursor.__errors as string[] | undefined) ?? []
    cursor.__errors = [...errors, item.problem.message]
  }
  return root as ErrorSchema
}
