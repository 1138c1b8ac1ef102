// The shared form's own widgets: a template editor (text area + "insert" helper) and a JSON text field.
import type { FieldProps, WidgetProps } from '@rjsf/utils'
import { Input, Select, Typography } from 'antd'
import type { TextAreaRef } from 'antd/es/input/TextArea'
import { useRef, useState } from 'react'
import type { SchemaFormContext } from './types'

/** A template string: a text area, and a menu of `{{…}}` snippets to insert at the caret. */
export function TemplateWidget({ id, value, label, disabled, readonly, onChange, onBlur, onFocus, registry, rawErrors }: WidgetProps) {
  const context = registry.formContext as SchemaFormContext | undefined
  const suggestions = context?.templateSuggestions ?? []
  const area = useRef<TextAreaRef>(null)
  const text = typeof value === 'string' ? value : ''
  function insert(snippet: string) {
    const element = area.current?.resizableTextArea?.textArea
    const start = element?.selectionStart ?? text.length
    const end = element?.selectionEnd ?? text.length
    onChange(text.slice(0, start) + snippet + text.slice(end))
  }
  return (
    <div className="schema-form-template">
      <Input.TextArea
        id={id}
        ref={area}
        value={text}
        autoSize={{ minRows: 2, maxRows: 10 }}
        spellCheck={false}
        disabled={disabled || readonly}
        status={rawErrors?.length ? 'error' : undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => onBlur(id, text)}
        onFocus={() => onFocus(id, text)}
      />
      {suggestions.length > 0 && !disabled && !readonly && (
        <Select<string>
          size="small"
          className="schema-form-insert"
          aria-label={`Insert into ${label}`}
          placeholder="Insert…"
          value={null}
          popupMatchSelectWidth={false}
          options={suggestions.map((snippet) => ({ value: snippet, label: snippet }))}
          onChange={insert}
        />
      )}
    </div>
  )
}

function asText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2)
}

/** Any JSON value, typed as JSON text; the value changes when the text parses. */
export function JsonField({ fieldPathId, formData, onChange, schema, name, disabled, readonly, rawErrors, required }: FieldProps) {
  const id = fieldPathId.$id
  const [text, setText] = useState(() => asText(formData))
  const [shown, setShown] = useState(formData)
  const [bad, setBad] = useState(false)
  if (shown !== formData && !bad) {
    setShown(formData)
    setText(asText(formData))
  }
  const title = typeof schema.title === 'string' ? schema.title : name
  const errors = [...(bad ? ['Not valid JSON'] : []), ...(rawErrors ?? [])]
  return (
    <div className="schema-form-json">
      <label htmlFor={id} className="schema-form-json-label">
        {title}
        {required ? ' *' : ''} <Typography.Text type="secondary">(JSON)</Typography.Text>
      </label>
      <Input.TextArea
        id={id}
        value={text}
        autoSize={{ minRows: 2, maxRows: 8 }}
        spellCheck={false}
        disabled={disabled || readonly}
        status={errors.length ? 'error' : undefined}
        onChange={(event) => {
          const next = event.target.value
          setText(next)
          if (next.trim() === '') {
            setBad(false)
            setShown(undefined)
            onChange(undefined, fieldPathId.path, undefined, id)
            return
          }
          try {
            const parsed: unknown = JSON.parse(next)
            setBad(false)
            setShown(parsed)
            onChange(parsed, fieldPathId.path, undefined, id)
          } catch {
            setBad(true)
          }
        }}
      />
      {errors.map((error) => (
        <Typography.Text key={error} type="danger" className="schema-form-help">
          {error}
        </Typography.Text>
      ))}
    </div>
  )
}
