import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { UpdateWorkflowDocument, ValidateWorkflowDocument, EditorWorkflowDocument } from '../../../gql/graphql'
import kinds from '../../../test/nodeKinds.json'
import { loadSchemaForm, OWNER_SESSION, renderAt } from '../../../test/render'
import EditorPage from './EditorPage'

// React Flow measures nodes; jsdom has no layout (the stubs of React Flow's testing guide)
beforeAll(() => {
  class DOMMatrixReadOnly {
    m22 = 1
  }
  Object.assign(globalThis, { DOMMatrixReadOnly: globalThis.DOMMatrixReadOnly ?? DOMMatrixReadOnly })
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get: () => 60 },
    offsetWidth: { configurable: true, get: () => 200 },
  })
})

const workflow = {
  __typename: 'Workflow' as const,
  id: 'wf1',
  name: 'Summaries',
  version: 3,
  updatedAt: '2026-12-01T10:00:00Z',
  definition: { nodes: [{ id: 'start', type: 'template', params: { template: 'hi' } }], edges: [] },
}

const nodeKinds = kinds.map((kind) => ({ __typename: 'NodeKind' as const, ...kind }))

type Definition = { nodes: { id: string; type: string; params?: { prompt?: string } }[] }

const mocks = [
  { request: { query: EditorWorkflowDocument, variables: { id: 'wf1' } }, result: { data: { workflow, nodeKinds } } },
  {
    request: { query: ValidateWorkflowDocument, variables: () => true },
    maxUsageCount: Number.POSITIVE_INFINITY,
    result: ({ definition }: { definition: Definition }) => {
      const index = definition.nodes.findIndex((node) => node.params?.prompt === '')
      const problems =
        index < 0
          ? []
          : [
              {
                __typename: 'Problem' as const,
                code: 'string_too_short',
                message: 'String should have at least 1 character',
                path: `nodes[${index}].params.prompt`,
                nodeId: definition.nodes[index].id,
              },
            ]
      return { data: { validateWorkflow: { __typename: 'ValidationResult' as const, valid: problems.length === 0, problems } } }
    },
  },
]

const refused = {
  request: { query: UpdateWorkflowDocument, variables: () => true },
  result: {
    data: {
      updateWorkflow: {
        __typename: 'InvalidWorkflow' as const,
        problems: [{ __typename: 'Problem' as const, code: 'cycle', message: 'The graph has a cycle', path: 'edges', nodeId: null }],
      },
    },
  },
}

function renderEditor() {
  return renderAt(<EditorPage />, {
    path: '/w/default/workflows/wf1',
    pattern: '/w/:workspace/workflows/:workflowId',
    session: OWNER_SESSION,
    mocks: [...mocks, refused],
  })
}

beforeAll(loadSchemaForm)

describe('EditorPage', () => {
  it('lists every node kind in the palette, with its description', async () => {
    renderEditor()
    const palette = await screen.findByRole('complementary', { name: 'Node palette' })
    const buttons = within(palette).getAllByRole('button')
    expect(buttons.map((button) => button.getAttribute('aria-label'))).toEqual(kinds.map((kind) => `Add ${kind.title}`))
    for (const kind of kinds) expect(within(palette).getByText(kind.description)).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: /^Summaries/ })).toBeInTheDocument()
    expect(screen.getByText(/version 3/)).toBeInTheDocument()
  })

  it('adds a node with a click, and shows its problem on the node and in the list', async () => {
    const user = userEvent.setup({ delay: null })
    renderEditor()
    const palette = await screen.findByRole('complementary', { name: 'Node palette' })
    await user.click(within(palette).getByRole('button', { name: 'Add LLM' }))
    expect(await screen.findByLabelText(/^Node llm_1/)).toBeInTheDocument()
    expect(await screen.findByLabelText('Node llm_1, 1 problem')).toBeInTheDocument()
    const problems = screen.getByRole('region', { name: 'Problems' })
    expect(within(problems).getByText('String should have at least 1 character')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled())

    // the server's refusal of a save is shown in words, with its problems
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await within(problems).findByText('Not saved: the server refused the definition.')).toBeInTheDocument()
    expect(within(problems).getByText('The graph has a cycle')).toBeInTheDocument()
  })
})
