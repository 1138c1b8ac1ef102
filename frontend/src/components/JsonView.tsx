import { Button, Typography } from 'antd'
import { useState, type ReactNode } from 'react'
import './JsonView.css'

/** Strings longer than this, and lists longer than `MAX_ITEMS`, show their start and a "Show all" button. */
export const MAX_TEXT = 300
export const MAX_ITEMS = 50

function LongText({ text }: { text: string }) {
  const [all, setAll] = useState(false)
  if (all || text.length <= MAX_TEXT) return <span className="json-view__string">{JSON.stringify(text)}</span>
  return (
    <span className="json-view__string">
      {JSON.stringify(text.slice(0, MAX_TEXT))}…{' '}
      <Button size="small" type="link" onClick={() => setAll(true)} aria-label={`Show all ${text.length} characters`}>
        Show all ({text.length} characters)
      </Button>
    </span>
  )
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <LongText text={value} />
  if (value === null || value === undefined) return <span className="json-view__null">null</span>
  return <span className="json-view__scalar">{String(value)}</span>
}

function Branch({ name, value, depth }: { name: ReactNode; value: object; depth: number }) {
  const [all, setAll] = useState(false)
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value)
  const shown = all ? entries : entries.slice(0, MAX_ITEMS)
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  const noun = Array.isArray(value) ? 'item' : 'key'
  const count = `${entries.length} ${noun}${entries.length === 1 ? '' : 's'}`
  if (entries.length === 0) {
    return (
      <div className="json-view__row">
        {name}
        <span className="json-view__scalar">{open + close}</span>
      </div>
    )
  }
  return (
    <details className="json-view__branch" open={depth < 2}>
      <summary>
        {name}
        <span className="json-view__meta">
          {open} {count} {close}
        </span>
      </summary>
      <div className="json-view__children">
        {shown.map(([key, item]) => (
          <Value key={key} name={<span className="json-view__key">{key}: </span>} value={item} depth={depth + 1} />
        ))}
        {shown.length < entries.length ? (
          <Button size="small" type="link" onClick={() => setAll(true)}>
            Show all {entries.length}
          </Button>
        ) : null}
      </div>
    </details>
  )
}

function Value({ name, value, depth }: { name: ReactNode; value: unknown; depth: number }) {
  if (typeof value === 'object' && value !== null) return <Branch name={name} value={value} depth={depth} />
  return (
    <div className="json-view__row">
      {name}
      <Scalar value={value} />
    </div>
  )
}

/**
 * A JSON value to read: objects and lists fold (the first two levels open), long strings and lists
 * are cut with a "Show all" button, so a huge output cannot flood the page.
 */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  if (value === undefined) return <Typography.Text type="secondary">None</Typography.Text>
  return (
    <div className="json-view" role="group" aria-label={label}>
      <Value name={null} value={value} depth={0} />
    </div>
  )
}
