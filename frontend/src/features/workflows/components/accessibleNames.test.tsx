import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { WorkflowsTableDocument } from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { WORKFLOWS_PAGE } from '../constants'
import { WorkflowsPage } from './WorkflowsPage'

const CONTROLS = ['button', 'link', 'textbox', 'searchbox', 'combobox', 'checkbox', 'radio', 'switch']

/** Every control a person can reach on the page, with no accessible name. */
function unnamedControls(): string[] {
  return CONTROLS.flatMap((role) =>
    screen
      // Testing Library computes each element's accessible name as assistive technology does
      .queryAllByRole(role, { name: (name) => name.trim() === '' })
      .map((element) => `${role}: ${element.outerHTML.slice(0, 120)}`),
  )
}

describe('the Workflows page’s controls', () => {
  it('all have an accessible name, the create dialog’s too', async () => {
    const user = userEvent.setup({ delay: null })
    const node = {
      __typename: 'Workflow',
      id: '1',
      name: 'Seed',
      version: 1,
      definition: {},
      createdAt: '2026-12-01T10:00:00Z',
      updatedAt: '2026-12-01T10:00:00Z',
      lastRun: null,
    }
    renderAt(<WorkflowsPage />, {
      path: '/w/default/workflows',
      pattern: '/w/:workspace/workflows',
      session: OWNER_SESSION,
      link: liveLink([
        {
          request: { query: WorkflowsTableDocument, variables: { first: WORKFLOWS_PAGE } },
          result: {
            data: {
              workflows: {
                __typename: 'WorkflowConnection',
                edges: [{ __typename: 'WorkflowEdge', cursor: '1', node }],
                pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
              },
            },
          },
        },
      ]).link,
    })
    await screen.findByRole('row', { name: /Seed/ })
    expect(unnamedControls()).toEqual([])
    await user.click(screen.getByRole('button', { name: 'New workflow' }))
    await screen.findByRole('dialog', { name: 'New workflow' })
    expect(unnamedControls()).toEqual([])
  })
})
