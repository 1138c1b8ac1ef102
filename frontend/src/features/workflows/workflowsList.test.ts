import { describe, expect, it } from 'vitest'
import type { RunStatus, WorkflowsTableQuery } from '../../gql/graphql'
import { appendPage, applyRunUpdate, duplicateName } from './workflowsList'

type LastRun = { id: string; status: RunStatus; createdAt: string } | null

function row(id: string, lastRun: LastRun = null) {
  return { id, name: id, version: 1, definition: {}, createdAt: 'x', updatedAt: 'x', lastRun }
}

function page(...nodes: ReturnType<typeof row>[]): WorkflowsTableQuery {
  return {
    workflows: { edges: nodes.map((node) => ({ cursor: node.id, node })), pageInfo: { hasNextPage: false, endCursor: null } },
  }
}

function update(id: string, workflowId: string, status: RunStatus, createdAt: string) {
  return { id, status, createdAt, workflow: { id: workflowId } }
}

describe('workflows listing', () => {
  it('appends the next page without repeating a workflow', () => {
    const merged = appendPage(page(row('a'), row('b')), page(row('b'), row('c')))
    expect(merged.workflows.edges.map((edge) => edge.node.id)).toEqual(['a', 'b', 'c'])
  })

  it('gives a workflow with no run its first one', () => {
    const after = applyRunUpdate(page(row('a'), row('b')), update('r1', 'b', 'RUNNING', '2026-12-03T01:00:00Z'))
    expect(after.workflows.edges[1].node.lastRun).toEqual({ id: 'r1', status: 'RUNNING', createdAt: '2026-12-03T01:00:00Z' })
    expect(after.workflows.edges[0].node.lastRun).toBeNull()
  })

  it('moves the last run’s status on', () => {
    const before = page(row('a', { id: 'r1', status: 'RUNNING', createdAt: '2026-12-03T01:00:00Z' }))
    const after = applyRunUpdate(before, update('r1', 'a', 'SUCCEEDED', '2026-12-03T01:00:00Z'))
    expect(after.workflows.edges[0].node.lastRun?.status).toBe('SUCCEEDED')
  })

  it('keeps the newer run when an older one changes', () => {
    const before = page(row('a', { id: 'r2', status: 'RUNNING', createdAt: '2026-12-03T02:00:00Z' }))
    const after = applyRunUpdate(before, update('r1', 'a', 'FAILED', '2026-12-03T01:00:00Z'))
    expect(after).toBe(before)
  })

  it('ignores a run of a workflow it does not list', () => {
    const before = page(row('a'))
    expect(applyRunUpdate(before, update('r1', 'zzz', 'RUNNING', '2026-12-03T01:00:00Z'))).toBe(before)
  })

  it('names a duplicate after its original', () => {
    expect(duplicateName('Seed')).toBe('Seed (copy)')
  })
})
