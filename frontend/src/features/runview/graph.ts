// The graph a run executes, read from its definition (JSON, checked here rather than trusted) and
// laid out: a node's saved canvas position when it has one, else dagre's left-to-right layout.
import { graphlib, layout } from '@dagrejs/dagre'

export interface GraphNode {
  readonly id: string
  readonly kind: string
  readonly label: string
  readonly position: { readonly x: number; readonly y: number }
}

export interface GraphEdge {
  readonly id: string
  readonly source: string
  readonly target: string
  readonly branch: string | null
}

export interface RunGraph {
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
}

/** The size dagre reserves for a node; RunNode's CSS keeps nodes about this size. */
export const NODE_WIDTH = 200
export const NODE_HEIGHT = 72

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}

function positionOf(value: unknown): { x: number; y: number } | null {
  const point = record(value)
  return point && typeof point.x === 'number' && typeof point.y === 'number' ? { x: point.x, y: point.y } : null
}

/** Nodes and edges of a definition, each node placed (saved positions kept, the rest laid out). */
export function runGraph(definition: unknown): RunGraph {
  const root = record(definition)
  const rawNodes = Array.isArray(root?.nodes) ? root.nodes : []
  const rawEdges = Array.isArray(root?.edges) ? root.edges : []
  const parsed: { id: string; kind: string; label: string; position: { x: number; y: number } | null }[] = []
  const ids = new Set<string>()
  for (const raw of rawNodes) {
    const node = record(raw)
    if (!node || typeof node.id !== 'string' || ids.has(node.id)) continue
    ids.add(node.id)
    parsed.push({
      id: node.id,
      kind: typeof node.type === 'string' ? node.type : 'node',
      label: typeof node.label === 'string' && node.label ? node.label : node.id,
      position: positionOf(node.position),
    })
  }
  const edges: GraphEdge[] = []
  rawEdges.forEach((raw, index) => {
    const edge = record(raw)
    if (!edge || typeof edge.from !== 'string' || typeof edge.to !== 'string') return
    if (!ids.has(edge.from) || !ids.has(edge.to)) return
    const branch = typeof edge.branch === 'string' ? edge.branch : null
    edges.push({ id: `e${index}-${edge.from}-${edge.to}`, source: edge.from, target: edge.to, branch })
  })

  const missing = parsed.filter((node) => node.position === null)
  const placed = new Map<string, { x: number; y: number }>()
  if (missing.length > 0) {
    const graph = new graphlib.Graph({ multigraph: true })
    graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80 })
    graph.setDefaultEdgeLabel(() => ({}))
    for (const node of parsed) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
    for (const edge of edges) graph.setEdge(edge.source, edge.target, {}, edge.id)
    layout(graph)
    for (const node of missing) {
      const box = graph.node(node.id)
      // dagre gives centres; React Flow wants the top-left corner
      placed.set(node.id, { x: box.x - NODE_WIDTH / 2, y: box.y - NODE_HEIGHT / 2 })
    }
  }
  return {
    nodes: parsed.map((node) => ({
      id: node.id,
      kind: node.kind,
      label: node.label,
      position: node.position ?? placed.get(node.id) ?? { x: 0, y: 0 },
    })),
    edges,
  }
}
