import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { EditorPastNodeInputsDocument, NodeTestsDocument, TestNodeDocument } from '../../../gql/graphql'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { parseDefinition } from '../flow'
import TestNodePanel from './TestNodePanel'

const definition = parseDefinition({ nodes: [{ id: 't', type: 'template', params: { template: 'Result: {{input}}' } }], edges: [] })

const test1 = {
  __typename: 'NodeTest' as const,
  id: 'nt1',
  workflowId: 'wf1',
  nodeId: 't',
  kind: 'template',
  status: 'SUCCEEDED' as const,
  input: 'pinned',
  output: 'Result: pinned',
  error: null,
  branch: null,
  usage: null,
  startedAt: '2026-12-01T10:00:00Z',
  finishedAt: '2026-12-01T10:00:01Z',
  durationMs: 3,
}

const pastRuns = {
  runs: {
    __typename: 'RunConnection' as const,
    edges: [
      {
        __typename: 'RunEdge' as const,
        node: {
          __typename: 'Run' as const,
          id: 'r1',
          createdAt: '2026-12-01T09:00:00Z',
          inputs: { topic: 'x' },
          nodeRuns: [{ __typename: 'NodeRun' as const, nodeId: 't', iteration: 0, status: 'SUCCEEDED' as const, input: 'pinned' }],
        },
      },
    ],
  },
}

function renderPanel(answers: unknown[]) {
  return renderAt(<TestNodePanel workflowId="wf1" definition={definition} nodeId="t" />, {
    session: OWNER_SESSION,
    mocks: [
      { request: { query: NodeTestsDocument, variables: { workflowId: 'wf1', nodeId: 't' } }, result: { data: { nodeTests: [] } }, maxUsageCount: 5 },
      { request: { query: EditorPastNodeInputsDocument, variables: { workflowId: 'wf1' } }, result: { data: pastRuns } },
      ...answers.map((answer) => ({
        request: {
          query: TestNodeDocument,
          variables: { input: { workflowId: 'wf1', definition, nodeId: 't', input: 'pinned', inputs: { topic: 'x' }, upstream: null } },
        },
        result: { data: { testNode: answer } },
      })),
    ],
  })
}

describe('Test this node', () => {
  it('runs the node with an input pinned from a past run and shows its output', async () => {
    const user = userEvent.setup({ delay: null })
    renderPanel([test1])
    const panel = await screen.findByRole('region', { name: 'Test this node' })
    await user.click(await within(panel).findByRole('combobox', { name: 'Pin an input from a past run' }))
    await user.click(await screen.findByText(/^Run of /))
    expect(within(panel).getByLabelText('Input (JSON)')).toHaveValue('"pinned"')
    await user.click(within(panel).getByRole('button', { name: 'Run the test' }))
    expect(await within(panel).findByLabelText('Test output')).toHaveTextContent('Result: pinned')
    expect(within(panel).getByText('SUCCEEDED')).toBeInTheDocument()
  })

  it('says in words why a test did not run', async () => {
    const user = userEvent.setup({ delay: null })
    renderPanel([{ __typename: 'MissingCredentials', provider: 'openai', message: 'No credentials for openai in this workspace' }])
    const panel = await screen.findByRole('region', { name: 'Test this node' })
    await user.click(await within(panel).findByRole('combobox', { name: 'Pin an input from a past run' }))
    await user.click(await screen.findByText(/^Run of /))
    await user.click(within(panel).getByRole('button', { name: 'Run the test' }))
    expect(await within(panel).findByRole('list', { name: 'Test problems' })).toHaveTextContent('No credentials for openai in this workspace')
  })

  it('refuses an input that is not JSON before calling the server', async () => {
    const user = userEvent.setup({ delay: null })
    renderPanel([])
    const panel = await screen.findByRole('region', { name: 'Test this node' })
    await user.type(within(panel).getByLabelText('Input (JSON)'), '{{nope')
    await user.click(within(panel).getByRole('button', { name: 'Run the test' }))
    expect(await within(panel).findByText('Input is not JSON.')).toBeInTheDocument()
  })
})
