import { Alert, Button, Checkbox, Flex, Form, Input } from 'antd'
import { useState } from 'react'
import { browserTimeZone, problemText } from '../webhook'

export interface WebhookFields {
  name: string
  requireSignature: boolean
}

export interface ScheduleFields {
  name: string
  cron: string
  timezone: string
  inputs: string
}

export interface Problem {
  code: string
  message: string
  path?: string | null
}

/** What a create form's submit answers: null when done, else the problems to show. */
export type Outcome = Promise<readonly Problem[] | null>

const FIELDS = new Set(['name', 'cron', 'timezone', 'inputs'])

/** The form field a problem belongs to (`inputs.name` → inputs), or null for the form as a whole. */
function fieldOf(problem: Problem): string | null {
  const head = (problem.path ?? '').split('.')[0]
  return FIELDS.has(head) ? head : null
}

function useProblems<T extends object>(form: ReturnType<typeof Form.useForm<T>>[0]) {
  const [problems, setProblems] = useState<readonly Problem[]>([])
  function show(found: readonly Problem[] | null) {
    setProblems(found ?? [])
    const byField = new Map<string, string[]>()
    for (const problem of found ?? []) {
      const field = fieldOf(problem)
      if (field) byField.set(field, [...(byField.get(field) ?? []), problem.message])
    }
    form.setFields([...byField].map(([name, errors]) => ({ name: name as never, errors })))
  }
  const alert =
    problems.length > 0 ? (
      <Alert type="error" role="alert" title="The trigger was not saved" description={problemText(problems).join(' · ')} />
    ) : null
  return { show, alert }
}

/** A new webhook: its name and whether deliveries must be signed. */
export function WebhookForm({ onSubmit, onCancel }: { onSubmit: (values: WebhookFields) => Outcome; onCancel: () => void }) {
  const [form] = Form.useForm<WebhookFields>()
  const [busy, setBusy] = useState(false)
  const { show, alert } = useProblems(form)
  async function submit(values: WebhookFields) {
    setBusy(true)
    show(await onSubmit(values).finally(() => setBusy(false)))
  }
  return (
    <Form<WebhookFields>
      form={form}
      layout="vertical"
      aria-label="New webhook"
      initialValues={{ name: 'Webhook', requireSignature: true }}
      onFinish={(values) => void submit(values)}
      requiredMark={false}
    >
      <Form.Item label="Webhook name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the webhook.' }]}>
        <Input autoComplete="off" maxLength={128} />
      </Form.Item>
      <Form.Item name="requireSignature" valuePropName="checked">
        <Checkbox>Require a signature (X-Flowloom-Signature)</Checkbox>
      </Form.Item>
      {alert}
      <Flex gap={8}>
        <Button type="primary" htmlType="submit" loading={busy}>
          Create webhook
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </Flex>
    </Form>
  )
}

/** A new schedule: a cron expression in a time zone, and the run inputs as JSON. */
export function ScheduleForm({ onSubmit, onCancel }: { onSubmit: (values: ScheduleFields) => Outcome; onCancel: () => void }) {
  const [form] = Form.useForm<ScheduleFields>()
  const [busy, setBusy] = useState(false)
  const { show, alert } = useProblems(form)
  async function submit(values: ScheduleFields) {
    setBusy(true)
    show(await onSubmit(values).finally(() => setBusy(false)))
  }
  return (
    <Form<ScheduleFields>
      form={form}
      layout="vertical"
      aria-label="New schedule"
      initialValues={{ name: 'Schedule', cron: '0 9 * * *', timezone: browserTimeZone(), inputs: '{}' }}
      onFinish={(values) => void submit(values)}
      requiredMark={false}
    >
      <Form.Item label="Schedule name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the schedule.' }]}>
        <Input autoComplete="off" maxLength={128} />
      </Form.Item>
      <Form.Item
        label="Cron expression"
        name="cron"
        extra="minute hour day-of-month month day-of-week, e.g. */15 * * * * or @daily"
        rules={[{ required: true, whitespace: true, message: 'Give a cron expression.' }]}
      >
        <Input autoComplete="off" maxLength={200} />
      </Form.Item>
      <Form.Item label="Time zone" name="timezone" extra="An IANA zone such as UTC or Europe/Berlin" rules={[{ required: true, message: 'Give a time zone.' }]}>
        <Input autoComplete="off" maxLength={64} />
      </Form.Item>
      <Form.Item
        label="Run inputs (JSON)"
        name="inputs"
        rules={[
          {
            validator: async (_, value: string) => {
              if (!value?.trim()) return
              JSON.parse(value) // throws: shown under the field
            },
            message: 'The run inputs are not valid JSON.',
          },
        ]}
      >
        <Input.TextArea rows={3} spellCheck={false} />
      </Form.Item>
      {alert}
      <Flex gap={8}>
        <Button type="primary" htmlType="submit" loading={busy}>
          Create schedule
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </Flex>
    </Form>
  )
}
