import { describe, expect, it } from 'vitest'
import type { RunsTableQuery } from '../../gql/graphql'
import { appendPage, applyUpdate } from './runsList'

function run(id: string, status: 'RUNNING' | 'FAILED' | 'SUCCEEDED') {
  return {
    id,
    status,
    error: null,
    createdAt: 'x',
    startedAt: null,
    finishedAt: null,
    workflow: { id: 'w', name: 'W' },
    trigger: null,
  }
}

function page(...runs: ReturnType<typeof run>[]): RunsTableQuery {
  return {
    runs: { edges: runs.map((node) => ({ cursor: node.id, node })), pageInfo: { hasNextPage: false, endCursor: null } },
  }
}

describe('runs listing', () => {
  it('appends older runs without repeating one', () => {
    const merged = appendPage(page(run('2', 'RUNNING')), page(run('2', 'RUNNING'), run('1', 'FAILED')))
    expect(merged.runs.edges.map((edge) => edge.node.id)).toEqual(['2', '1'])
  })

  it('leaves a new run out when the filter does not match it', () => {
    const before = page(run('1', 'FAILED'))
    expect(applyUpdate(before, run('2', 'RUNNING'), 'FAILED')).toBe(before)
    expect(applyUpdate(before, run('2', 'FAILED'), 'FAILED').runs.edges.map((edge) => edge.node.id)).toEqual(['2', '1'])
  })
})
