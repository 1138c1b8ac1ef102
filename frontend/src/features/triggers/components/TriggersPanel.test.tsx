import type { MockLink } from '@apollo/client/testing'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { CreateTriggerDocument, DeleteTriggerDocument, TriggersDocument, UpdateTriggerDocument } from '../../../gql/graphql'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { browserTimeZone } from '../webhook'
import { TriggersPanel } from './TriggersPanel'

const WORKFLOW = 'wf-1'

function trigger(id: string, kind: 'WEBHOOK' | 'SCHEDULE', name: string, changes: Record<string, unknown> = {}) {
  return {
    __typename: 'Trigger' as const,
    id,
    workflowId: WORKFLOW,
    kind,
    name,
    enabled: true,
    requireSignature: kind === 'WEBHOOK',
    cron: kind === 'SCHEDULE' ? '0 9 * * *' : null,
    timezone: kind === 'SCHEDULE' ? 'Europe/Berlin' : null,
    inputs: kind === 'SCHEDULE' ? {} : null,
    nextFireAt: kind === 'SCHEDULE' ? '2026-12-04T08:00:00Z' : null,
    lastFiredAt: null,
    webhookPath: kind === 'WEBHOOK' ? `/hooks/${id}` : null,
    createdAt: '2026-12-03T10:00:00Z',
    updatedAt: '2026-12-03T10:00:00Z',
    ...changes,
  }
}

type Trigger = ReturnType<typeof trigger>

function listing(triggers: Trigger[]): MockLink.MockedResponse {
  return { request: { query: TriggersDocument, variables: { workflowId: WORKFLOW } }, result: { data: { triggers } } }
}

function renderPanel(mocks: MockLink.MockedResponse[], canEdit = true) {
  return renderAt(<TriggersPanel workflowId={WORKFLOW} canEdit={canEdit} />, { session: OWNER_SESSION, mocks })
}

describe('TriggersPanel', () => {
  it('says so when the workflow has no triggers', async () => {
    renderPanel([listing([])])
    expect(await screen.findByText('No triggers yet: add a webhook or a schedule.')).toBeInTheDocument()
  })

  it('shows an error with a way to try again when the triggers cannot be loaded', async () => {
    renderPanel([{ request: { query: TriggersDocument, variables: { workflowId: WORKFLOW } }, error: new Error('database down') }])
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The triggers could not be loaded')
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })

  it('lists webhooks with their URL and schedules with their cron and zone', async () => {
    renderPanel([listing([trigger('t1', 'WEBHOOK', 'From CI'), trigger('t2', 'SCHEDULE', 'Nightly')])])
    const list = await screen.findByRole('region', { name: 'Triggers' })
    expect(within(list).getByLabelText('URL of From CI')).toHaveTextContent(`${window.location.origin}/hooks/t1`)
    expect(within(list).getByText('0 9 * * *')).toBeInTheDocument()
    expect(within(list).getByText(/in Europe\/Berlin/)).toBeInTheDocument()
  })

  it('creates a webhook and shows its secret once, with a curl example', async () => {
    const user = userEvent.setup({ delay: null })
    const created = trigger('t9', 'WEBHOOK', 'Webhook')
    renderPanel([
      listing([]),
      {
        request: { query: CreateTriggerDocument, variables: { input: { workflowId: WORKFLOW, kind: 'WEBHOOK', name: 'Webhook', requireSignature: true } } },
        result: { data: { createTrigger: { __typename: 'TriggerWithSecret', secret: 'flwh_shown-once', trigger: created } } },
      },
      listing([created]),
    ])
    await user.click(await screen.findByRole('button', { name: 'Add webhook' }))
    await user.click(screen.getByRole('button', { name: 'Create webhook' }))
    const dialog = await screen.findByRole('dialog', { name: 'Webhook “Webhook” created' })
    expect(within(dialog).getByLabelText('Webhook secret')).toHaveTextContent('flwh_shown-once')
    expect(within(dialog).getByLabelText('curl example')).toHaveTextContent("-hmac 'flwh_shown-once'")
  })

  it('shows a refused schedule’s problems in words next to their fields', async () => {
    const user = userEvent.setup({ delay: null })
    const problems = [
      { __typename: 'Problem', code: 'INVALID_CRON', message: "'61 * * * *' is not a valid cron expression", path: 'cron' },
    ]
    renderPanel([
      listing([]),
      {
        request: {
          query: CreateTriggerDocument,
          variables: { input: { workflowId: WORKFLOW, kind: 'SCHEDULE', name: 'Schedule', cron: '61 * * * *', timezone: browserTimeZone(), inputs: {} } },
        },
        result: { data: { createTrigger: { __typename: 'InvalidTrigger', problems } } },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Add schedule' }))
    const cron = screen.getByRole('textbox', { name: 'Cron expression' })
    await user.clear(cron)
    await user.type(cron, '61 * * * *')
    await user.click(screen.getByRole('button', { name: 'Create schedule' }))
    expect(await screen.findByRole('alert')).toHaveTextContent("cron: '61 * * * *' is not a valid cron expression")
    // and under the field itself (the alert says "cron: …")
    expect(screen.getByText("'61 * * * *' is not a valid cron expression")).toBeInTheDocument()
  })

  it('disables a trigger and deletes one after confirming', async () => {
    const user = userEvent.setup({ delay: null })
    const nightly = trigger('t2', 'SCHEDULE', 'Nightly')
    renderPanel([
      listing([nightly]),
      {
        request: { query: UpdateTriggerDocument, variables: { id: 't2', input: { enabled: false } } },
        result: { data: { updateTrigger: { ...nightly, enabled: false, nextFireAt: null } } },
      },
      {
        request: { query: DeleteTriggerDocument, variables: { id: 't2' } },
        result: { data: { deleteTrigger: { __typename: 'DeletedTrigger', id: 't2' } } },
      },
      listing([]),
    ])
    const toggle = await screen.findByRole('switch', { name: 'Enabled: Nightly' })
    await user.click(toggle)
    expect(await screen.findByText('disabled')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Delete Nightly' }))
    await user.click(await screen.findByRole('button', { name: 'Delete' }))
    expect(await screen.findByText('No triggers yet: add a webhook or a schedule.')).toBeInTheDocument()
  })

  it('lets viewers read triggers but not change them', async () => {
    renderPanel([listing([trigger('t1', 'WEBHOOK', 'From CI')])], false)
    await screen.findByRole('region', { name: 'Triggers' })
    expect(screen.queryByRole('button', { name: 'Add webhook' })).not.toBeInTheDocument()
    expect(screen.queryByRole('switch')).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete From CI' })).not.toBeInTheDocument()
  })
})
