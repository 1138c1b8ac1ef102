// Fixtures shared by the Workflows page tests: workflows, pages of the table's query, the page rendered.
import type { MockLink } from '@apollo/client/testing'
import { WorkflowsTableDocument, type RunStatus } from '../../gql/graphql'
import { liveLink } from '../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../test/render'
import { WORKFLOWS_PAGE } from './constants'
import { WorkflowsPage } from './components/WorkflowsPage'

export interface LastRun {
  __typename: 'Run'
  id: string
  status: RunStatus
  createdAt: string
}

export function workflow(id: string, name: string, version = 1, lastRun: LastRun | null = null) {
  return {
    __typename: 'Workflow' as const,
    id,
    name,
    version,
    definition: { nodes: [], edges: [] },
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: `2026-12-0${version}T10:00:00Z`,
    lastRun,
  }
}

/** One page of the table's query: after `after`, with more to come when `next` names the cursor. */
export function listing(
  nodes: ReturnType<typeof workflow>[],
  { after, next }: { after?: string; next?: string } = {},
): MockLink.MockedResponse {
  return {
    request: { query: WorkflowsTableDocument, variables: after ? { first: WORKFLOWS_PAGE, after } : { first: WORKFLOWS_PAGE } },
    result: {
      data: {
        workflows: {
          __typename: 'WorkflowConnection',
          edges: nodes.map((node) => ({ __typename: 'WorkflowEdge', cursor: node.id, node })),
          pageInfo: { __typename: 'PageInfo', hasNextPage: next !== undefined, endCursor: next ?? null },
        },
      },
    },
  }
}

export function renderPage(mocks: MockLink.MockedResponse[], session = OWNER_SESSION) {
  const live = liveLink(mocks)
  renderAt(<WorkflowsPage />, { path: '/w/default/workflows', pattern: '/w/:workspace/workflows', session, link: live.link })
  return live
}
