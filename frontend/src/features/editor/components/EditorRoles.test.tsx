import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../../gql/graphql'
import { EditorWorkflowDocument } from '../../../gql/graphql'
import kinds from '../../../test/nodeKinds.json'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import EditorPage from './EditorPage'

beforeAll(() => {
  class DOMMatrixReadOnly {
    m22 = 1
  }
  Object.assign(globalThis, { DOMMatrixReadOnly: globalThis.DOMMatrixReadOnly ?? DOMMatrixReadOnly })
})

const workflow = {
  __typename: 'Workflow' as const,
  id: 'wf1',
  name: 'Summaries',
  version: 1,
  updatedAt: '2026-12-01T10:00:00Z',
  definition: { nodes: [{ id: 'start', type: 'template', params: { template: 'hi' } }], edges: [] },
}
const nodeKinds = kinds.map((kind) => ({ __typename: 'NodeKind' as const, ...kind }))

function renderAs(role: Role, found = true) {
  return renderAt(<EditorPage />, {
    path: '/w/default/workflows/wf1',
    pattern: '/w/:workspace/workflows/:workflowId',
    session: { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role }] },
    mocks: [
      {
        request: { query: EditorWorkflowDocument, variables: { id: 'wf1' } },
        result: { data: { workflow: found ? workflow : null, nodeKinds } },
      },
    ],
  })
}

describe('the editor by role', () => {
  it('gives viewers a read-only editor', async () => {
    renderAs('VIEWER')
    const palette = await screen.findByRole('complementary', { name: 'Node palette' })
    for (const button of within(palette).getAllByRole('button')) expect(button).toBeDisabled()
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Run' })).not.toBeInTheDocument()
    expect(screen.getByText(/read-only/)).toBeInTheDocument()
  })

  it('lets runners run but not save, and lists the shortcuts', async () => {
    const user = userEvent.setup({ delay: null })
    renderAs('RUNNER')
    expect(await screen.findByRole('button', { name: 'Run' })).toBeEnabled()
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Shortcuts' }))
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })
    expect(within(dialog).getByText('Ctrl+Z')).toBeInTheDocument()
  })

  it('says when the workflow does not exist', async () => {
    renderAs('OWNER', false)
    expect(await screen.findByText('No such workflow')).toBeInTheDocument()
  })
})
