import { useMutation, useQuery } from '@apollo/client/react'
import { App, Button, Empty, Flex, List, Popconfirm, Space, Spin, Switch, Tag, Typography } from 'antd'
import { useState } from 'react'
import { CopyableText } from '../../../components/CopyableText'
import { DateTime } from '../../../components/DateTime'
import { LoadError } from '../../../components/LoadError'
import {
  CreateTriggerDocument,
  DeleteTriggerDocument,
  RotateTriggerSecretDocument,
  TriggersDocument,
  UpdateTriggerDocument,
  type TriggerFieldsFragment,
} from '../../../gql/graphql'
import { problemText, webhookUrl } from '../webhook'
import { ScheduleForm, WebhookForm, type ScheduleFields, type WebhookFields } from './TriggerForms'
import { WebhookSecretDialog } from './WebhookSecretDialog'
import '../triggers.css'

interface Shown {
  title: string
  path: string
  secret: string
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : 'The server could not be reached.'
}

function Details({ trigger }: { trigger: TriggerFieldsFragment }) {
  if (trigger.kind === 'WEBHOOK' && trigger.webhookPath) {
    return (
      <Flex vertical gap={4}>
        <CopyableText text={webhookUrl(trigger.webhookPath)} label={`URL of ${trigger.name}`} />
        <Typography.Text type="secondary">
          {trigger.requireSignature ? 'Deliveries must be signed.' : 'Signatures are checked when sent.'} Last fired:{' '}
          <DateTime value={trigger.lastFiredAt} />
        </Typography.Text>
      </Flex>
    )
  }
  return (
    <Typography.Text type="secondary">
      <Typography.Text code>{trigger.cron}</Typography.Text> in {trigger.timezone} · next:{' '}
      <DateTime value={trigger.nextFireAt} empty="not scheduled" exact /> · last fired: <DateTime value={trigger.lastFiredAt} />
    </Typography.Text>
  )
}

/** A workflow's webhooks and schedules: list them, and (editors) add, enable, rotate and delete them. */
export function TriggersPanel({ workflowId, canEdit }: { workflowId: string; canEdit: boolean }) {
  const { message } = App.useApp()
  const refetchQueries = [{ query: TriggersDocument, variables: { workflowId } }]
  const { data, loading, error, refetch } = useQuery(TriggersDocument, { variables: { workflowId }, fetchPolicy: 'cache-and-network' })
  const [create] = useMutation(CreateTriggerDocument, { refetchQueries })
  const [update] = useMutation(UpdateTriggerDocument)
  const [rotate] = useMutation(RotateTriggerSecretDocument)
  const [remove] = useMutation(DeleteTriggerDocument, { refetchQueries })
  const [adding, setAdding] = useState<'webhook' | 'schedule' | null>(null)
  const [shown, setShown] = useState<Shown | null>(null)
  const triggers = data?.triggers ?? []

  async function createTrigger(input: Parameters<typeof create>[0]) {
    try {
      const result = (await create(input)).data?.createTrigger
      if (result?.__typename === 'TriggerWithSecret') {
        setAdding(null)
        const { trigger, secret } = result
        if (secret && trigger.webhookPath) setShown({ title: `Webhook “${trigger.name}” created`, path: trigger.webhookPath, secret })
        else void message.success(`Schedule “${trigger.name}” created.`)
        return null
      }
      if (result?.__typename === 'InvalidTrigger') return result.problems
      return [{ code: 'NOT_FOUND', message: result?.message ?? 'The workflow was not found.' }]
    } catch (caught) {
      return [{ code: 'NETWORK', message: failure(caught) }]
    }
  }

  function addWebhook(values: WebhookFields) {
    return createTrigger({ variables: { input: { workflowId, kind: 'WEBHOOK', name: values.name.trim(), requireSignature: values.requireSignature } } })
  }

  function addSchedule(values: ScheduleFields) {
    const inputs: unknown = values.inputs?.trim() ? JSON.parse(values.inputs) : {}
    return createTrigger({
      variables: { input: { workflowId, kind: 'SCHEDULE', name: values.name.trim(), cron: values.cron.trim(), timezone: values.timezone.trim(), inputs } },
    })
  }

  async function setEnabled(trigger: TriggerFieldsFragment, enabled: boolean) {
    try {
      const result = (await update({ variables: { id: trigger.id, input: { enabled } } })).data?.updateTrigger
      if (result?.__typename === 'Trigger') void message.success(`${result.name} ${enabled ? 'enabled' : 'disabled'}.`)
      else if (result?.__typename === 'InvalidTrigger') void message.error(problemText(result.problems).join(' · '))
      else void message.error(result?.message ?? 'The trigger was not found.')
    } catch (caught) {
      void message.error(failure(caught))
    }
  }

  async function rotateSecret(trigger: TriggerFieldsFragment) {
    try {
      const result = (await rotate({ variables: { id: trigger.id } })).data?.rotateTriggerSecret
      if (result?.__typename === 'TriggerWithSecret' && result.secret && result.trigger.webhookPath) {
        setShown({ title: `New secret of “${result.trigger.name}”`, path: result.trigger.webhookPath, secret: result.secret })
      } else if (result?.__typename === 'InvalidTrigger') void message.error(problemText(result.problems).join(' · '))
      else void message.error('The trigger was not found.')
    } catch (caught) {
      void message.error(failure(caught))
    }
  }

  async function deleteTrigger(trigger: TriggerFieldsFragment) {
    try {
      const result = (await remove({ variables: { id: trigger.id } })).data?.deleteTrigger
      if (result?.__typename === 'DeletedTrigger') void message.success(`Deleted “${trigger.name}”.`)
      else void message.error(result?.message ?? 'The trigger was gone already.')
    } catch (caught) {
      void message.error(failure(caught))
    }
  }

  return (
    <Flex vertical gap={16} className="triggers-panel">
      <Typography.Text type="secondary">
        Webhooks and schedules start this workflow&apos;s current version; each run says which one started it.
      </Typography.Text>
      {canEdit && adding === null && (
        <Space>
          <Button onClick={() => setAdding('webhook')}>Add webhook</Button>
          <Button onClick={() => setAdding('schedule')}>Add schedule</Button>
        </Space>
      )}
      {adding === 'webhook' && <WebhookForm onSubmit={addWebhook} onCancel={() => setAdding(null)} />}
      {adding === 'schedule' && <ScheduleForm onSubmit={addSchedule} onCancel={() => setAdding(null)} />}
      {error && <LoadError what="The triggers" error={error} onRetry={() => void refetch()} />}
      {loading && !data && <Spin description="Loading triggers" />}
      {!loading && !error && triggers.length === 0 && (
        <Empty description={canEdit ? 'No triggers yet: add a webhook or a schedule.' : 'This workflow has no triggers.'} />
      )}
      {triggers.length > 0 && (
        <section aria-label="Triggers">
        <List<TriggerFieldsFragment>
          dataSource={triggers}
          renderItem={(trigger) => (
            <List.Item
              key={trigger.id}
              actions={
                canEdit
                  ? [
                      <Switch
                        key="enabled"
                        checked={trigger.enabled}
                        aria-label={`Enabled: ${trigger.name}`}
                        onChange={(checked) => void setEnabled(trigger, checked)}
                      />,
                      ...(trigger.kind === 'WEBHOOK'
                        ? [
                            <Popconfirm
                              key="rotate"
                              title={`New secret for “${trigger.name}”?`}
                              description="Senders using the old secret are refused at once."
                              okText="Rotate"
                              cancelText="Keep"
                              onConfirm={() => void rotateSecret(trigger)}
                            >
                              <Button size="small" aria-label={`Rotate the secret of ${trigger.name}`}>
                                Rotate secret
                              </Button>
                            </Popconfirm>,
                          ]
                        : []),
                      <Popconfirm
                        key="delete"
                        title={`Delete “${trigger.name}”?`}
                        description="The runs it started stay in the history."
                        okText="Delete"
                        okButtonProps={{ danger: true }}
                        cancelText="Keep"
                        onConfirm={() => void deleteTrigger(trigger)}
                      >
                        <Button size="small" danger aria-label={`Delete ${trigger.name}`}>
                          Delete
                        </Button>
                      </Popconfirm>,
                    ]
                  : [<Tag key="state">{trigger.enabled ? 'enabled' : 'disabled'}</Tag>]
              }
            >
              <List.Item.Meta
                title={
                  <Space>
                    <span>{trigger.name}</span>
                    <Tag color={trigger.kind === 'WEBHOOK' ? 'blue' : 'purple'}>{trigger.kind === 'WEBHOOK' ? 'webhook' : 'schedule'}</Tag>
                    {!trigger.enabled && <Tag>disabled</Tag>}
                  </Space>
                }
                description={<Details trigger={trigger} />}
              />
            </List.Item>
          )}
        />
        </section>
      )}
      {shown && <WebhookSecretDialog title={shown.title} path={shown.path} secret={shown.secret} onClose={() => setShown(null)} />}
    </Flex>
  )
}
