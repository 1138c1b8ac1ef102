import { describe, expect, it } from 'vitest'
import {
  connect,
  fromFlow,
  nextNodeId,
  outputHandles,
  parseDefinition,
  pasteNodes,
  removeElements,
  toFlow,
  upstreamIds,
  withPositions,
  type Definition,
} from './flow'

const titles = new Map([['llm', 'LLM']])

const seed: Definition = parseDefinition({
  version: 1,
  inputs: { type: 'object', properties: { topic: { type: 'string' } } },
  nodes: [
    { id: 'n1', type: 'llm', label: 'Summarizer', params: { model: 'test', prompt: '{{input}}' }, retry: { maxAttempts: 2 } },
    { id: 'c', type: 'condition', params: { cases: [{ branch: 'long', when: 'true' }], default: 'short' }, position: { x: 5, y: 6 } },
    { id: 'h', type: 'human', params: { prompt: 'ok?' }, onError: 'errorEdge' },
  ],
  edges: [
    { from: 'n1', to: 'c' },
    { from: 'c', to: 'h', branch: 'long', note: 'kept' },
    { from: 'h', to: 'n1', branch: 'error' },
  ],
})

describe('definition ⇄ flow', () => {
  it('gives nodes without a position a dagre place and keeps the given ones', () => {
    const { nodes } = toFlow(seed, titles)
    expect(nodes.find((node) => node.id === 'c')?.position).toEqual({ x: 5, y: 6 })
    const laid = nodes.filter((node) => node.id !== 'c').map((node) => node.position)
    expect(laid[0]).not.toEqual(laid[1])
    expect(nodes[0].data.title).toBe('LLM')
    expect(nodes[1].data.title).toBe('condition')
  })

  it('draws branch handles: condition cases then default, human outcomes, error', () => {
    expect(outputHandles(seed.nodes[0])).toEqual(['out'])
    expect(outputHandles(seed.nodes[1])).toEqual(['long', 'short'])
    expect(outputHandles(seed.nodes[2])).toEqual(['submitted', 'timeout', 'error'])
  })

  it('labels edges with their branch and leaves from that handle', () => {
    const { edges } = toFlow(seed, titles)
    expect(edges.map((edge) => [edge.sourceHandle, edge.label])).toEqual([
      ['out', undefined],
      ['long', 'long'],
      ['error', 'error'],
    ])
  })

  it('round-trips, keeping fields the editor does not know', () => {
    const placed = withPositions(seed)
    const { nodes, edges } = toFlow(placed, titles)
    const { nodes: _n, edges: _e, ...base } = placed
    const back = fromFlow(nodes, edges, base)
    expect(back).toEqual(placed)
    expect(back.nodes[0].retry).toEqual({ maxAttempts: 2 })
    expect(back.edges[1].note).toBe('kept')
    expect(back.inputs).toEqual(seed.inputs)
  })

  it('lays big graphs out in layers quickly, each node right of its parents', () => {
    const nodes = Array.from({ length: 150 }, (_, i) => ({ id: `n${i}`, type: 'template' }))
    const edges = nodes.slice(1).map((node, i) => ({ from: `n${i % 3 === 0 ? 0 : i}`, to: node.id }))
    const placed = withPositions(parseDefinition({ nodes, edges: [...edges, { from: 'n5', to: 'n1' }] }))
    const at = new Map(placed.nodes.map((node) => [node.id, node.position]))
    for (const edge of edges) expect(at.get(edge.to)?.x ?? 0).toBeGreaterThan(at.get(edge.from)?.x ?? 0)
    expect(new Set(placed.nodes.map((node) => `${node.position?.x},${node.position?.y}`)).size).toBe(150)
  })

  it('reads an empty or broken definition as empty', () => {
    expect(parseDefinition(null)).toEqual({ nodes: [], edges: [] })
    expect(parseDefinition({ nodes: 'x' }).nodes).toEqual([])
  })
})

describe('editing', () => {
  it('sets the branch from the handle a connection starts at', () => {
    const next = connect(seed, { source: 'c', target: 'n1', sourceHandle: 'short' })
    expect(next.edges.at(-1)).toEqual({ from: 'c', to: 'n1', branch: 'short' })
    const plain = connect(seed, { source: 'n1', target: 'h', sourceHandle: 'out' })
    expect(plain.edges.at(-1)).toEqual({ from: 'n1', to: 'h' })
    expect(connect(seed, { source: 'n1', target: 'c', sourceHandle: 'out' })).toBe(seed)
    expect(connect(seed, { source: 'n1', target: 'n1' })).toBe(seed)
  })

  it('makes unique ids per kind', () => {
    expect(nextNodeId('llm', [])).toBe('llm_1')
    expect(nextNodeId('llm', ['llm_1', 'llm_3'])).toBe('llm_2')
  })

  it('pastes copies with new ids and the edges between them', () => {
    const { definition, ids } = pasteNodes(seed, [seed.nodes[1], seed.nodes[2]], seed.edges)
    expect(ids).toEqual(['condition_1', 'human_1'])
    expect(definition.nodes.at(-2)?.position).toEqual({ x: 45, y: 46 })
    expect(definition.edges.slice(3)).toEqual([{ from: 'condition_1', to: 'human_1', branch: 'long', note: 'kept' }])
  })

  it('removes nodes with their edges, and edges by index', () => {
    const next = removeElements(seed, ['h'], [0])
    expect(next.nodes.map((node) => node.id)).toEqual(['n1', 'c'])
    expect(next.edges).toEqual([])
  })

  it('lists upstream nodes for templates', () => {
    expect(upstreamIds(seed, 'h')).toEqual(['n1', 'c'])
    expect(upstreamIds(seed, 'n1')).toEqual(['c', 'h'])
  })
})
