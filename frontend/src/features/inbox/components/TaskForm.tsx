import { Button, Checkbox, Form, Input, InputNumber, Select } from 'antd'
import { useMemo, useState } from 'react'
import { answerOf, schemaFields, type SchemaField } from '../schemaFields'

function control(field: SchemaField) {
  switch (field.kind) {
    case 'boolean':
      return <Checkbox>{field.label}</Checkbox>
    case 'number':
      return <InputNumber aria-label={field.label} style={{ width: 200 }} />
    case 'integer':
      return <InputNumber aria-label={field.label} precision={0} style={{ width: 200 }} />
    case 'enum':
      return (
        <Select
          aria-label={field.label}
          style={{ width: 240 }}
          options={field.options.map((option, index) => ({
            value: String(index),
            label: typeof option === 'string' ? option : JSON.stringify(option),
          }))}
        />
      )
    default:
      return <Input aria-label={field.label} />
  }
}

/**
 * The answer form for one task: a field per property of a simple object schema, else a JSON text
 * area. `onSubmit` gets the answer; a JSON text that does not parse is refused here.
 */
export function TaskForm({
  schema,
  busy,
  disabled,
  onSubmit,
}: {
  schema: unknown
  busy: boolean
  disabled: boolean
  onSubmit: (answer: unknown) => void
}) {
  const fields = useMemo(() => schemaFields(schema), [schema])
  const [jsonError, setJsonError] = useState<string | null>(null)
  const initial = useMemo(
    () => Object.fromEntries((fields ?? []).filter((field) => field.kind === 'boolean').map((field) => [field.name, false])),
    [fields],
  )

  function submit(values: Record<string, unknown>) {
    if (fields) {
      onSubmit(answerOf(fields, values))
      return
    }
    try {
      onSubmit(JSON.parse(String(values.answer ?? '')))
      setJsonError(null)
    } catch {
      setJsonError('The answer is not JSON.')
    }
  }

  return (
    <Form layout="vertical" initialValues={initial} onFinish={submit} disabled={disabled}>
      {fields ? (
        fields.map((field) => (
          <Form.Item
            key={field.name}
            name={field.name}
            label={field.kind === 'boolean' ? undefined : field.label}
            valuePropName={field.kind === 'boolean' ? 'checked' : 'value'}
            rules={field.required && field.kind !== 'boolean' ? [{ required: true, message: `${field.label} is required.` }] : []}
          >
            {control(field)}
          </Form.Item>
        ))
      ) : (
        <Form.Item
          name="answer"
          label="Answer (JSON)"
          validateStatus={jsonError ? 'error' : undefined}
          help={jsonError ?? undefined}
          rules={[{ required: true, message: 'Type the answer as JSON.' }]}
        >
          <Input.TextArea rows={4} spellCheck={false} />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={busy}>
        Submit answer
      </Button>
    </Form>
  )
}
