import { describe, expect, it } from 'vitest'
import { parseDefinition } from './flow'
import { fieldErrors, pathSegments, placeProblem, problemCounts } from './problems'

const definition = parseDefinition({
  nodes: [
    { id: 'a', type: 'llm', params: {} },
    { id: 'b', type: 'condition', params: {} },
  ],
  edges: [],
})

describe('problem paths', () => {
  it('splits a JSON path', () => {
    expect(pathSegments('nodes[1].params.cases[0].when')).toEqual(['nodes', 1, 'params', 'cases', 0, 'when'])
    expect(pathSegments('$.nodes[0].params.headers["Content-Type"]')).toEqual(['nodes', 0, 'params', 'headers', 'Content-Type'])
  })

  it('places params and settings problems on their node and field', () => {
    const prompt = placeProblem({ code: 'missing', message: 'Field required', path: 'nodes[0].params.prompt' }, definition)
    expect(prompt).toMatchObject({ nodeId: 'a', form: 'params', field: ['prompt'] })
    const when = placeProblem({ code: 'x', message: 'bad', path: '$.nodes[1].params.cases[0].when', nodeId: 'b' }, definition)
    expect(when).toMatchObject({ nodeId: 'b', form: 'params', field: ['cases', 0, 'when'] })
    const timeout = placeProblem({ code: 'x', message: 'too big', path: '$.nodes[1].timeoutSeconds' }, definition)
    expect(timeout).toMatchObject({ nodeId: 'b', form: 'settings', field: ['timeoutSeconds'] })
    const graph = placeProblem({ code: 'cycle', message: 'a cycle', path: '$.edges[0]' }, definition)
    expect(graph).toMatchObject({ nodeId: null, form: null })
  })

  it('counts per node and builds rjsf extra errors', () => {
    const placed = [
      placeProblem({ code: 'a', message: 'one', path: '$.nodes[1].params.cases[0].when' }, definition),
      placeProblem({ code: 'b', message: 'two', path: '$.nodes[1].params.cases[0].when' }, definition),
      placeProblem({ code: 'c', message: 'three', path: '$.nodes[0].params.prompt' }, definition),
    ]
    expect(problemCounts(placed)).toEqual(new Map([['b', 2], ['a', 1]]))
    expect(fieldErrors(placed, 'b', 'params')).toEqual({ cases: { 0: { when: { __errors: ['one', 'two'] } } } })
    expect(fieldErrors(placed, 'b', 'settings')).toEqual({})
  })
})
