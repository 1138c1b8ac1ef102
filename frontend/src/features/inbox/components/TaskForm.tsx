import { Button, Form, Input, Spin } from 'antd'
import { Suspense, useMemo, useState } from 'react'
import { LazySchemaForm } from '../../../components/schemaForm'

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The schema's properties, when it describes an object with some (else the answer is typed as JSON). */
function propertiesOf(schema: unknown): Json | null {
  return isRecord(schema) && isRecord(schema.properties) && Object.keys(schema.properties).length ? schema.properties : null
}

/**
 * The answer form for one task: the shared JSON-Schema form for an object schema, else a JSON text
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
  const properties = useMemo(() => propertiesOf(schema), [schema])
  // an unticked box is an answer (false), not a missing one
  const initial = useMemo(
    () =>
      Object.fromEntries(
        Object.entries(properties ?? {})
          .filter(([, property]) => isRecord(property) && property.type === 'boolean')
          .map(([name]) => [name, false]),
      ),
    [properties],
  )
  const [answer, setAnswer] = useState<unknown>(initial)
  const [jsonError, setJsonError] = useState<string | null>(null)

  if (properties) {
    return (
      <Suspense fallback={<Spin description="Loading the form" />}>
        <LazySchemaForm
          idPrefix="answer"
          schema={schema}
          formData={answer}
          onChange={setAnswer}
          onSubmit={onSubmit}
          disabled={disabled}
        >
          <Button type="primary" htmlType="submit" loading={busy} disabled={disabled}>
            Submit answer
          </Button>
        </LazySchemaForm>
      </Suspense>
    )
  }

  function submit(values: Json) {
    try {
      onSubmit(JSON.parse(String(values.answer ?? '')))
      setJsonError(null)
    } catch {
      setJsonError('The answer is not JSON.')
    }
  }

  return (
    <Form layout="vertical" onFinish={submit} disabled={disabled}>
      <Form.Item
        name="answer"
        label="Answer (JSON)"
        validateStatus={jsonError ? 'error' : undefined}
        help={jsonError ?? undefined}
        rules={[{ required: true, message: 'Type the answer as JSON.' }]}
      >
        <Input.TextArea rows={4} spellCheck={false} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        Submit answer
      </Button>
    </Form>
  )
}
