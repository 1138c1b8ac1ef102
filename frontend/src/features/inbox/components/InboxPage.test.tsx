import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '../../auth/api/session'
import { HumanTaskUpdatesDocument, HumanTasksDocument, SubmitHumanInputDocument } from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { loadSchemaForm, OWNER_SESSION, renderAt } from '../../../test/render'
import { InboxPage } from './InboxPage'

const APPROVE = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }

function task(runId: string, prompt: string, schema: unknown = APPROVE, status: 'OPEN' | 'DONE' = 'OPEN') {
  return {
    __typename: 'HumanTask' as const,
    runId,
    nodeId: 'ask',
    iteration: 0,
    prompt,
    schema,
    status,
    input: null,
    createdAt: '2026-12-01T10:00:00Z',
    dueAt: null,
    closedAt: null,
    budgetHold: false,
  }
}

function open(...tasks: ReturnType<typeof task>[]): MockLink.MockedResponse {
  return { request: { query: HumanTasksDocument, variables: { status: 'OPEN' } }, result: { data: { humanTasks: tasks } } }
}

/** The subscription staying silent (MockLink answers every subscribe with some mock). */
function quiet(): MockLink.MockedResponse {
  return { request: { query: HumanTaskUpdatesDocument, variables: {} }, result: { data: undefined }, delay: 60_000 }
}

function submitted(runId: string, input: unknown, answer: Record<string, unknown>): MockLink.MockedResponse {
  return {
    request: { query: SubmitHumanInputDocument, variables: { runId, nodeId: 'ask', input } },
    result: { data: { submitHumanInput: answer } },
  }
}

const VIEWER: Session = { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role: 'VIEWER' }] }

function renderPage(mocks: MockLink.MockedResponse[], session = OWNER_SESSION) {
  return renderAt(<InboxPage />, { path: '/w/default/inbox', pattern: '/w/:workspace/inbox', session, mocks })
}

/** The page over `mocks`, with `humanTasks` delivering what the test pushes, when it pushes it. */
function renderLive(mocks: MockLink.MockedResponse[]) {
  const { link, push } = liveLink(mocks)
  renderAt(<InboxPage />, { path: '/w/default/inbox', pattern: '/w/:workspace/inbox', session: OWNER_SESSION, link })
  return (changed: ReturnType<typeof task>) => push(HumanTaskUpdatesDocument, { humanTasks: changed })
}

// the answer form (the shared schema form) is a lazy chunk: loaded once here, not inside a test's wait
beforeAll(loadSchemaForm, 20_000)

describe('InboxPage', () => {
  it('answers a task with a form made from its schema; the task goes away', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      open(task('r1', 'Approve?')),
      quiet(),
      submitted('r1', { ok: true }, {
        __typename: 'Run',
        id: 'r1',
        status: 'RUNNING',
        version: 1,
        inputs: null,
        output: null,
        error: null,
        usage: null,
        cost: { __typename: 'Cost', usd: 0, priced: true },
        createdAt: '2026-12-01T10:00:00Z',
        startedAt: '2026-12-01T10:00:00Z',
        finishedAt: null,
      }),
    ])
    const card = await screen.findByRole('region', { name: 'Approve?' })
    await user.click(await within(card).findByRole('checkbox', { name: 'ok' }))
    await user.click(within(card).getByRole('button', { name: 'Submit answer' }))
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Approve?' })).not.toBeInTheDocument())
    expect(await screen.findByText('No open tasks: nothing waits for a person.')).toBeInTheDocument()
  })

  it('shows why the server refused an answer, in words', async () => {
    const user = userEvent.setup({ delay: null })
    const schema = { type: 'object', properties: { reason: { type: 'string', title: 'Reason' } } }
    renderPage([
      open(task('r1', 'Why?', schema)),
      quiet(),
      submitted('r1', { reason: 'x' }, {
        __typename: 'InvalidHumanInput',
        message: 'input does not match the schema',
        errors: ["'x' is too short"],
      }),
    ])
    const card = await screen.findByRole('region', { name: 'Why?' })
    await user.type(await within(card).findByRole('textbox', { name: 'Reason' }), 'x')
    await user.click(within(card).getByRole('button', { name: 'Submit answer' }))
    const alert = await within(card).findByRole('alert')
    expect(alert).toHaveTextContent('The answer does not fit the question: input does not match the schema')
    expect(within(alert).getByRole('list', { name: 'Problems' })).toHaveTextContent("'x' is too short")
    expect(card).toBeInTheDocument()
  })

  it('asks for JSON when the schema is empty', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      open(task('r1', 'Anything?', {})),
      quiet(),
      submitted('r1', { n: 1 }, { __typename: 'NoOpenTask', message: 'run r1 is not waiting at ask' }),
    ])
    const card = await screen.findByRole('region', { name: 'Anything?' })
    const field = within(card).getByRole('textbox', { name: 'Answer (JSON)' })
    await user.type(field, '{{nope')
    await user.click(within(card).getByRole('button', { name: 'Submit answer' }))
    expect(await within(card).findByText('The answer is not JSON.')).toBeInTheDocument()
    await user.clear(field)
    await user.click(field)
    await user.paste('{"n": 1}')
    await user.click(within(card).getByRole('button', { name: 'Submit answer' }))
    expect(await within(card).findByRole('alert')).toHaveTextContent('This task is no longer open')
  })

  it('shows a budget hold under a short title, with the cost so far and an approval box', async () => {
    const prompt = 'Budget check: node n2 is about to call openai:gpt-4o. This run has cost $0.0080.'
    const schema = { type: 'object', properties: { approve: { type: 'boolean', title: 'Approve the spend' } }, required: ['approve'] }
    renderPage([open({ ...task('r1', prompt, schema), nodeId: 'n2', budgetHold: true }), quiet()])
    const card = await screen.findByRole('region', { name: 'Budget approval for “n2”' })
    expect(card).toHaveTextContent('This run has cost $0.0080.')
    expect(await within(card).findByRole('checkbox', { name: 'Approve the spend' })).toBeInTheDocument()
  })

  it('shows viewers the tasks without a way to answer', async () => {
    renderPage([open(task('r1', 'Approve?')), quiet()], VIEWER)
    const card = await screen.findByRole('region', { name: 'Approve?' })
    expect(within(card).queryByRole('button', { name: 'Submit answer' })).not.toBeInTheDocument()
    expect(card).toHaveTextContent('a runner or above answers it')
    expect(within(card).getByRole('link', { name: 'Open run' })).toHaveAttribute('href', '/w/default/runs/r1')
  })

  it('adds a task live as it opens', async () => {
    const update = renderLive([open()])
    expect(await screen.findByText('No open tasks: nothing waits for a person.')).toBeInTheDocument()
    update(task('r2', 'Ship it?'))
    expect(await screen.findByRole('region', { name: 'Ship it?' })).toBeInTheDocument()
  })

  it('removes a task live as someone else answers it', async () => {
    const update = renderLive([open(task('r1', 'Approve?'))])
    await screen.findByRole('region', { name: 'Approve?' })
    update(task('r1', 'Approve?', APPROVE, 'DONE'))
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Approve?' })).not.toBeInTheDocument())
  })
})
