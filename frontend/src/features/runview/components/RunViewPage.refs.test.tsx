import { fireEvent, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { RunviewNodeOutputDocument } from '../../../gql/graphql'
import { OWNER_SESSION } from '../../../test/render'
import { event, node, renderPage, stubFlowBrowser } from './runViewTesting'

stubFlowBrowser()

describe('RunViewPage with an output too large for its event', () => {
  it('fetches the referenced output from the node run and shows it in the panel', async () => {
    const big = 'word '.repeat(20_000)
    const push = renderPage(OWNER_SESSION, [
      {
        request: { query: RunviewNodeOutputDocument, variables: { id: 'r1', nodeId: 'reply', iteration: 0 } },
        result: {
          data: {
            run: {
              __typename: 'Run',
              id: 'r1',
              nodeRun: { __typename: 'NodeRun', nodeId: 'reply', iteration: 0, input: { ok: true }, output: big, prunedAt: null },
            },
          },
        },
      },
    ])
    await node('Greeting (template)')
    push(
      event(7, 'RUN_RESUMED'),
      event(8, 'NODE_SUCCEEDED', 'ask', { iteration: 0, output: { ok: true }, branch: 'submitted' }),
      event(9, 'NODE_STARTED', 'reply', { iteration: 0, attempt: 1, input: { ok: true } }),
      event(10, 'NODE_SUCCEEDED', 'reply', { iteration: 0, outputRef: { nodeId: 'reply', iteration: 0, bytes: 100_002 } }),
    )
    const reply = await node('Reply (template)')
    await within(reply).findByText('SUCCEEDED')

    fireEvent.click(reply)
    const panel = await screen.findByRole('region', { name: 'Node Reply' })
    const output = await within(panel).findByRole('group', { name: 'Output' })
    expect(output).toHaveTextContent('word word')
  })
})
