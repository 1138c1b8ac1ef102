// The workflow definition (DESIGN.md §4) ⇄ React Flow's nodes and edges, as pure functions.
// The definition is the editor's source of truth; fields the editor does not know are kept as they are.
import dagre from '@dagrejs/dagre'
import type { Edge, Node, XYPosition } from '@xyflow/react'

/** One node of the DSL: the fields the editor reads, and any others (kept untouched). */
export interface DefNode {
  id: string
  type: string
  label?: string | null
  params?: Record<string, unknown>
  position?: XYPosition
  onError?: string
  [field: string]: unknown
}

/** One edge of the DSL; `branch` names the output of a condition or human node, or `error`. */
export interface DefEdge {
  from: string
  to: string
  branch?: string | null
  [field: string]: unknown
}

/** A workflow definition: nodes, edges, and whatever else it holds (`inputs`, `version`, …). */
export interface Definition {
  nodes: DefNode[]
  edges: DefEdge[]
  [field: string]: unknown
}

/** What a canvas node carries: its DSL node, and what the editor shows on it. */
export type FlowNodeData = {
  node: DefNode
  title: string
  outputs: string[]
  problems: number
}
export type FlowNode = Node<FlowNodeData, 'dsl'>
export type FlowEdgeData = { edge: DefEdge }
export type FlowEdge = Edge<FlowEdgeData>

/** The id of the single output handle of nodes that do not branch. */
export const DEFAULT_HANDLE = 'out'
/** The branch of error edges (a node whose `onError` is `errorEdge` gets this handle). */
export const ERROR_BRANCH = 'error'
/** Branches of a human node (engine/dsl/kinds/human.py). */
export const HUMAN_BRANCHES = ['submitted', 'timeout'] as const

/** How the canvas frames the graph, at first and on "Fit view". */
export const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.2 }

const NODE_WIDTH = 200
const NODE_HEIGHT = 64

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads a definition from the API's JSON, tolerating what is missing (an empty workflow). */
export function parseDefinition(json: unknown): Definition {
  const source = isRecord(json) ? json : {}
  const nodes = Array.isArray(source.nodes) ? source.nodes.filter(isRecord) : []
  const edges = Array.isArray(source.edges) ? source.edges.filter(isRecord) : []
  return {
    ...source,
    nodes: nodes.map((node) => ({ ...node, id: String(node.id ?? ''), type: String(node.type ?? '') })),
    edges: edges.map((edge) => ({ ...edge, from: String(edge.from ?? ''), to: String(edge.to ?? '') })),
  }
}

/** The branches a node's edges may leave from (condition cases then default; human outcomes). */
export function nodeBranches(node: DefNode): string[] {
  const params = isRecord(node.params) ? node.params : {}
  if (node.type === 'condition') {
    const cases = Array.isArray(params.cases) ? params.cases : []
    const names = cases.map((item) => (isRecord(item) && typeof item.branch === 'string' ? item.branch : '')).filter(Boolean)
    const fallback = typeof params.default === 'string' && params.default ? params.default : 'default'
    if (!names.includes(fallback)) names.push(fallback)
    return [...new Set(names)]
  }
  if (node.type === 'human') return [...HUMAN_BRANCHES]
  return []
}

/** The source handles of a node: its branches (or the default output), then `error` when it has an error edge. */
export function outputHandles(node: DefNode): string[] {
  const branches = nodeBranches(node)
  const handles = branches.length ? branches : [DEFAULT_HANDLE]
  return node.onError === 'errorEdge' ? [...handles, ERROR_BRANCH] : handles
}

/** The handle an edge leaves from. */
export function sourceHandleOf(edge: DefEdge, source: DefNode | undefined): string {
  if (edge.branch) return edge.branch
  return source?.type === 'human' ? 'submitted' : DEFAULT_HANDLE
}

/** dagre's left-to-right layout of every node (top-left corners, like React Flow's positions). */
export function layoutPositions(definition: Definition): Map<string, XYPosition> {
  const graph = new dagre.graphlib.Graph()
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80 })
  graph.setDefaultEdgeLabel(() => ({}))
  for (const node of definition.nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  const ids = new Set(definition.nodes.map((node) => node.id))
  for (const edge of definition.edges) if (ids.has(edge.from) && ids.has(edge.to)) graph.setEdge(edge.from, edge.to)
  dagre.layout(graph)
  const positions = new Map<string, XYPosition>()
  for (const node of definition.nodes) {
    const laid = graph.node(node.id)
    positions.set(node.id, { x: Math.round(laid.x - NODE_WIDTH / 2), y: Math.round(laid.y - NODE_HEIGHT / 2) })
  }
  return positions
}

/** Above this many nodes, a first layout uses `layeredPositions` (dagre takes ~0.3 s for 200 nodes here). */
export const QUICK_LAYOUT_NODES = 100

/**
 * A fast layered layout: each node one column right of its furthest parent (cycles broken where met),
 * stacked in the order reached. Linear time; for opening big workflows without positions quickly.
 */
export function layeredPositions(definition: Definition): Map<string, XYPosition> {
  const ids = definition.nodes.map((node) => node.id)
  const known = new Set(ids)
  const children = new Map<string, string[]>()
  const indegree = new Map(ids.map((id) => [id, 0]))
  for (const edge of definition.edges) {
    if (!known.has(edge.from) || !known.has(edge.to) || edge.from === edge.to) continue
    children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to])
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1)
  }
  const rank = new Map<string, number>()
  const order: string[] = []
  const placed = new Set<string>()
  const queue: string[] = []
  const visit = (start: string) => {
    queue.push(start)
    rank.set(start, rank.get(start) ?? 0)
    while (queue.length) {
      const id = queue.shift() as string
      if (placed.has(id)) continue
      placed.add(id)
      order.push(id)
      for (const child of children.get(id) ?? []) {
        if (placed.has(child)) continue
        rank.set(child, Math.max(rank.get(child) ?? 0, (rank.get(id) ?? 0) + 1))
        const left = (indegree.get(child) ?? 1) - 1
        indegree.set(child, left)
        if (left <= 0) queue.push(child)
      }
    }
  }
  for (const id of ids) if ((indegree.get(id) ?? 0) === 0 && !placed.has(id)) visit(id)
  for (const id of ids) if (!placed.has(id)) visit(id) // what only cycles reach
  const rows = new Map<number, number>()
  const positions = new Map<string, XYPosition>()
  for (const id of order) {
    const column = rank.get(id) ?? 0
    const row = rows.get(column) ?? 0
    rows.set(column, row + 1)
    positions.set(id, { x: column * (NODE_WIDTH + 80), y: row * (NODE_HEIGHT + 40) })
  }
  return positions
}

/** Gives every node without a `position` one from dagre (the others keep theirs); big graphs get the quick layout. */
export function withPositions(definition: Definition): Definition {
  if (definition.nodes.every((node) => node.position)) return definition
  const laid = definition.nodes.length > QUICK_LAYOUT_NODES ? layeredPositions(definition) : layoutPositions(definition)
  return { ...definition, nodes: definition.nodes.map((node) => (node.position ? node : { ...node, position: laid.get(node.id) })) }
}

/** Lays every node out again with dagre (the toolbar's auto-layout). */
export function autoLayout(definition: Definition): Definition {
  const laid = layoutPositions(definition)
  return { ...definition, nodes: definition.nodes.map((node) => ({ ...node, position: laid.get(node.id) })) }
}

/** A React Flow edge id for the `index`-th edge of the definition. */
export function edgeId(edge: DefEdge, index: number): string {
  return `${edge.from}->${edge.to}:${edge.branch ?? ''}#${index}`
}

/** The definition's nodes as React Flow nodes (positions from the definition, else dagre). */
export function toFlowNodes(
  definition: Definition,
  titles: ReadonlyMap<string, string>,
  problems: ReadonlyMap<string, number> = new Map(),
): FlowNode[] {
  const placed = withPositions(definition)
  return placed.nodes.map((node, index) => ({
    id: node.id,
    type: 'dsl',
    position: node.position ?? { x: 0, y: 0 },
    data: {
      node: definition.nodes[index],
      title: titles.get(node.type) ?? node.type,
      outputs: outputHandles(node),
      problems: problems.get(node.id) ?? 0,
    },
  }))
}

/** The definition's edges as React Flow edges, labelled with their branch. */
export function toFlowEdges(definition: Definition): FlowEdge[] {
  const byId = new Map(definition.nodes.map((node) => [node.id, node]))
  return definition.edges.map((edge, index) => ({
    id: edgeId(edge, index),
    source: edge.from,
    target: edge.to,
    sourceHandle: sourceHandleOf(edge, byId.get(edge.from)),
    targetHandle: 'in',
    label: edge.branch ?? undefined,
    className: edge.branch === ERROR_BRANCH ? 'flow-edge-error' : undefined,
    data: { edge },
  }))
}

/** Both at once. */
export function toFlow(definition: Definition, titles: ReadonlyMap<string, string>, problems?: ReadonlyMap<string, number>) {
  return { nodes: toFlowNodes(definition, titles, problems), edges: toFlowEdges(definition) }
}

/** The branch an edge gets from the handle it was drawn from (none for the default output). */
export function branchOfHandle(handle: string | null | undefined): string | undefined {
  return handle && handle !== DEFAULT_HANDLE ? handle : undefined
}

function edgeFromFlow(edge: FlowEdge): DefEdge {
  const { branch: _old, ...rest } = edge.data?.edge ?? { from: edge.source, to: edge.target }
  const branch = branchOfHandle(edge.sourceHandle)
  return { ...rest, from: edge.source, to: edge.target, ...(branch ? { branch } : {}) }
}

/** React Flow's nodes and edges back into a definition; `base` gives the other top-level fields. */
export function fromFlow(nodes: FlowNode[], edges: FlowEdge[], base: Partial<Definition> = {}): Definition {
  return {
    ...base,
    nodes: nodes.map((node) => ({
      ...node.data.node,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    })),
    edges: edges.map(edgeFromFlow),
  }
}

/** Adds the edge a connection drew; refused (the definition unchanged) when it already exists or loops on itself. */
export function connect(
  definition: Definition,
  connection: { source: string; target: string; sourceHandle?: string | null },
): Definition {
  if (connection.source === connection.target) return definition
  const branch = branchOfHandle(connection.sourceHandle)
  const edge: DefEdge = { from: connection.source, to: connection.target, ...(branch ? { branch } : {}) }
  const exists = definition.edges.some(
    (item) => item.from === edge.from && item.to === edge.to && (item.branch ?? undefined) === branch,
  )
  return exists ? definition : { ...definition, edges: [...definition.edges, edge] }
}

/** `kind_1`, `kind_2`, …: the first not taken. */
export function nextNodeId(kind: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  const base = kind.replace(/[^a-zA-Z0-9_]/g, '_') || 'node'
  for (let n = 1; ; n += 1) {
    const id = `${base}_${n}`
    if (!used.has(id)) return id
  }
}

/** Removes nodes (and the edges touching them) and edges (by index). */
export function removeElements(definition: Definition, nodeIds: Iterable<string>, edgeIndexes: Iterable<number> = []): Definition {
  const gone = new Set(nodeIds)
  const goneEdges = new Set(edgeIndexes)
  if (!gone.size && !goneEdges.size) return definition
  return {
    ...definition,
    nodes: definition.nodes.filter((node) => !gone.has(node.id)),
    edges: definition.edges.filter((edge, index) => !goneEdges.has(index) && !gone.has(edge.from) && !gone.has(edge.to)),
  }
}

/** Copies of `nodes` with fresh ids (and the edges between them), placed `offset` away: what paste adds. */
export function pasteNodes(
  definition: Definition,
  nodes: DefNode[],
  edges: DefEdge[],
  offset: XYPosition = { x: 40, y: 40 },
): { definition: Definition; ids: string[] } {
  const taken = new Set(definition.nodes.map((node) => node.id))
  const renamed = new Map<string, string>()
  const copies = nodes.map((node) => {
    const id = nextNodeId(node.type, taken)
    taken.add(id)
    renamed.set(node.id, id)
    const position = node.position ? { x: node.position.x + offset.x, y: node.position.y + offset.y } : undefined
    return { ...structuredClone(node), id, ...(position ? { position } : {}) }
  })
  const copiedEdges = edges
    .filter((edge) => renamed.has(edge.from) && renamed.has(edge.to))
    .map((edge) => ({ ...edge, from: renamed.get(edge.from) ?? edge.from, to: renamed.get(edge.to) ?? edge.to }))
  return {
    definition: { ...definition, nodes: [...definition.nodes, ...copies], edges: [...definition.edges, ...copiedEdges] },
    ids: copies.map((node) => node.id),
  }
}

/** Replaces one node (by id) with `update(node)`. */
export function updateNode(definition: Definition, id: string, update: (node: DefNode) => DefNode): Definition {
  return { ...definition, nodes: definition.nodes.map((node) => (node.id === id ? update(node) : node)) }
}

/** The ids of the nodes that feed `id`, directly or not (what its templates may name). */
export function upstreamIds(definition: Definition, id: string): string[] {
  const parents = new Map<string, string[]>()
  for (const edge of definition.edges) parents.set(edge.to, [...(parents.get(edge.to) ?? []), edge.from])
  const seen = new Set<string>()
  const stack = [...(parents.get(id) ?? [])]
  while (stack.length) {
    const next = stack.pop() as string
    if (seen.has(next) || next === id) continue
    seen.add(next)
    stack.push(...(parents.get(next) ?? []))
  }
  return definition.nodes.map((node) => node.id).filter((nodeId) => seen.has(nodeId))
}

/** The names of the run inputs (`definition.inputs.properties`). */
export function inputNames(definition: Definition): string[] {
  const inputs = definition.inputs
  return isRecord(inputs) && isRecord(inputs.properties) ? Object.keys(inputs.properties) : []
}

/** `{{input}}`, each upstream node's output and each run input: what a template here may use. */
export function templateSuggestions(definition: Definition, nodeId: string): string[] {
  return [
    '{{input}}',
    ...upstreamIds(definition, nodeId).map((id) => `{{nodes.${id}.output}}`),
    ...inputNames(definition).map((name) => `{{inputs.${name}}}`),
  ]
}
