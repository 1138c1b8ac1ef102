import { describe, expect, it } from 'vitest'
import { runGraph } from './graph'

const SEED = {
  nodes: [
    { id: 'n1', type: 'llm', label: 'Summarizer', params: { model: 'openai:gpt-4', prompt: '{{input}}' } },
    { id: 'n2', type: 'embedding', label: 'Vector Store', params: {} },
    { id: 'n3', type: 'tool', params: {} },
  ],
  edges: [
    { from: 'n1', to: 'n2' },
    { from: 'n2', to: 'n3', branch: 'error' },
  ],
}

describe('runGraph', () => {
  it('reads nodes (label, else id) and edges with their branch', () => {
    const graph = runGraph(SEED)
    expect(graph.nodes.map((node) => [node.id, node.kind, node.label])).toEqual([
      ['n1', 'llm', 'Summarizer'],
      ['n2', 'embedding', 'Vector Store'],
      ['n3', 'tool', 'n3'],
    ])
    expect(graph.edges.map((edge) => [edge.source, edge.target, edge.branch])).toEqual([
      ['n1', 'n2', null],
      ['n2', 'n3', 'error'],
    ])
  })

  it('lays a chain out left to right when no node has a position', () => {
    const [n1, n2, n3] = runGraph(SEED).nodes
    expect(n1.position.x).toBeLessThan(n2.position.x)
    expect(n2.position.x).toBeLessThan(n3.position.x)
    expect(new Set([n1.position.y, n2.position.y, n3.position.y]).size).toBe(1)
  })

  it('keeps saved positions', () => {
    const graph = runGraph({
      nodes: [
        { id: 'a', type: 'template', position: { x: 10, y: 20 } },
        { id: 'b', type: 'human' },
      ],
      edges: [{ from: 'a', to: 'b' }],
    })
    expect(graph.nodes[0].position).toEqual({ x: 10, y: 20 })
    expect(graph.nodes[1].position).not.toEqual({ x: 0, y: 0 })
  })

  it('skips what is broken instead of failing: unknown endpoints, duplicate ids, not JSON objects', () => {
    const graph = runGraph({ nodes: [{ id: 'a' }, { id: 'a' }, 7, { label: 'no id' }], edges: [{ from: 'a', to: 'zz' }, null] })
    expect(graph.nodes.map((node) => node.id)).toEqual(['a'])
    expect(graph.edges).toEqual([])
    expect(runGraph(null)).toEqual({ nodes: [], edges: [] })
  })
})
