const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' })

/** A timestamp from the server in the reader's locale; a dash while it has not happened. */
export function When({ value }: { value: string | null | undefined }) {
  if (!value) return <span aria-label="not yet">—</span>
  const date = new Date(value)
  return <time dateTime={value}>{Number.isNaN(date.getTime()) ? value : timeFormat.format(date)}</time>
}
