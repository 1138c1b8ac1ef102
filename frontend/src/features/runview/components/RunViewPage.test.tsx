import { ApolloLink } from '@apollo/client'
import { useApolloClient } from '@apollo/client/react'
import { MockLink } from '@apollo/client/testing'
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { OperationTypeNode } from 'graphql'
import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { attachSocketMonitor, SocketMonitor } from '../../../app/apollo'
import { RunviewRunDocument } from '../../../gql/graphql'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import RunViewPage from './RunViewPage'
import { event, loaded, node, renderPage, SCHEMA, stubFlowBrowser } from './runViewTesting'

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

describe('RunViewPage after a dropped socket', () => {
  it('subscribes again after the latest seq it has seen, and says Reconnecting… then Live', async () => {
    const monitor = new SocketMonitor()
    monitor.set('live')
    const opened: { afterSeq: unknown; events: Subject<ApolloLink.Result> }[] = []
    const subscriptions = new ApolloLink((operation) => {
      const events = new Subject<ApolloLink.Result>()
      opened.push({ afterSeq: operation.variables.afterSeq, events })
      return events.asObservable()
    })
    const link = ApolloLink.split(
      ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
      subscriptions,
      new MockLink([{ request: { query: RunviewRunDocument, variables: { id: 'r1' } }, result: { data: loaded() } }]),
    )
    function Monitored() {
      attachSocketMonitor(useApolloClient(), monitor)
      return <RunViewPage />
    }
    renderAt(<Monitored />, { path: '/w/default/runs/r1', pattern: '/w/:workspace/runs/:runId', session: OWNER_SESSION, link })
    const live = await screen.findByRole('status', { name: 'Live updates' })
    await waitFor(() => expect(opened).toHaveLength(1))
    expect(opened[0].afterSeq).toBe(6)
    act(() => {
      opened[0].events.next({ data: { runEvents: event(7, 'RUN_RESUMED') } })
      opened[0].events.next({ data: { runEvents: event(8, 'NODE_SUCCEEDED', 'ask', { iteration: 0, output: { ok: true } }) } })
    })
    expect(await within(await node('Approval (human)')).findByText('SUCCEEDED')).toBeInTheDocument()

    act(() => monitor.set('reconnecting'))
    expect(live).toHaveTextContent('Reconnecting…')
    await waitFor(() => expect(opened).toHaveLength(2))
    expect(opened[1].afterSeq).toBe(8)
    act(() => {
      monitor.set('live')
      opened[1].events.next({ data: { runEvents: event(9, 'NODE_STARTED', 'reply', { iteration: 0, attempt: 1, input: {} }) } })
    })
    expect(live).toHaveTextContent('Live')
    expect(await within(await node('Reply (template)')).findByText('RUNNING')).toBeInTheDocument()
  })
})
