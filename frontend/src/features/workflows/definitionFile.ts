// Import and export of a workflow's JSON definition. An exported file holds the definition alone
// (the seed JSON from the README has the same shape); a file of the form {name, definition} is
// accepted too, so a richer export from elsewhere imports as it is.
import { asRecord } from '../../lib/rest'

/** A definition read from a file, with the name the new workflow will get. */
export interface ImportedDefinition {
  name: string
  definitionText: string
}

/** Reads an imported file's text; throws an `Error` in words when it is not JSON. */
export function readDefinitionFile(fileName: string, text: string): ImportedDefinition {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new Error(`${fileName} is not JSON: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
  const record = asRecord(parsed)
  const baseName = fileName.replace(/\.json$/i, '')
  if (record && typeof record.name === 'string' && 'definition' in record) {
    return { name: record.name, definitionText: JSON.stringify(record.definition, null, 2) }
  }
  return { name: baseName, definitionText: JSON.stringify(parsed, null, 2) }
}

/** Parses the definition field's text; `{ error }` in words when it is not JSON. */
export function parseDefinition(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) }
  } catch (error) {
    return { error: `The definition is not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** Offers a workflow's definition as a `<name>.json` download. */
export function downloadDefinition(name: string, definition: unknown): void {
  const blob = new Blob([`${JSON.stringify(definition, null, 2)}\n`], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = `${name.replace(/[\\/:*?"<>|]+/g, '_') || 'workflow'}.json`
  document.body.append(link)
  link.click()
  link.remove()
  URL.revokeObjectURL(url)
}
