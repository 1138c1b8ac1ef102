import { fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { OWNER_SESSION } from '../../../test/render'
import { event, node, renderPage, SCHEMA, stubFlowBrowser } from './runViewTesting'

stubFlowBrowser()

describe('RunViewPage', () => {
  it('draws the run live: a pushed event turns a node SUCCEEDED, and its panel shows the output', async () => {
    const push = renderPage(OWNER_SESSION)
    expect(await node('Approval (human)')).toHaveTextContent('WAITING')
    expect(await node('Greeting (template)')).toHaveTextContent('SUCCEEDED')
    expect(await node('Reply (template)')).toHaveTextContent('PENDING')
    expect(screen.getByRole('link', { name: 'Approvals' })).toHaveAttribute('href', '/w/default/workflows/wf1')
    expect(screen.getByText('submitted')).toBeInTheDocument()

    push(
      event(7, 'RUN_RESUMED'),
      event(8, 'NODE_SUCCEEDED', 'ask', { iteration: 0, output: { ok: true }, branch: 'submitted' }),
      event(9, 'NODE_STARTED', 'reply', { iteration: 0, attempt: 1, input: { ok: true } }),
      event(10, 'NODE_SUCCEEDED', 'reply', { iteration: 0, output: 'All approved' }),
    )
    const reply = await node('Reply (template)')
    await within(reply).findByText('SUCCEEDED')
    expect(await node('Approval (human)')).toHaveTextContent('SUCCEEDED')

    fireEvent.click(reply)
    const panel = await screen.findByRole('region', { name: 'Node Reply' })
    expect(within(panel).getByRole('group', { name: 'Output' })).toHaveTextContent('"All approved"')
    expect(within(panel).getByRole('group', { name: 'Input' })).toHaveTextContent('ok: true')
  })

  it('selects a node from the timeline and lists each applied event once', async () => {
    const user = userEvent.setup()
    const push = renderPage(OWNER_SESSION)
    await node('Greeting (template)')
    await user.click(screen.getByRole('tab', { name: 'Timeline' }))
    const timeline = await screen.findByRole('list', { name: 'Timeline' })
    await user.click(within(timeline).getByRole('button', { name: 'Greeting, iteration 0, SUCCEEDED' }))
    expect(await screen.findByRole('region', { name: 'Node Greeting' })).toHaveTextContent('"Hello Ada"')
    push(event(5, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: SCHEMA }), event(7, 'RUN_RESUMED'))
    await user.click(screen.getByRole('tab', { name: 'Events' }))
    const log = await screen.findByRole('list', { name: 'Events applied' })
    await within(log).findByText('RUN_RESUMED')
    expect(within(log).getAllByRole('listitem').map((item) => item.dataset.seq)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
  })
})
