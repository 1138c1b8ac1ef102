/** One answer field read from a human node's JSON Schema. */
export interface SchemaField {
  name: string
  label: string
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum'
  required: boolean
  options: readonly unknown[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fieldOf(name: string, property: unknown, required: boolean): SchemaField | null {
  if (!isRecord(property)) return null
  const label = typeof property.title === 'string' && property.title ? property.title : name
  if (Array.isArray(property.enum) && property.enum.length > 0) {
    return { name, label, kind: 'enum', required, options: property.enum }
  }
  const type = property.type
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') {
    return { name, label, kind: type, required, options: [] }
  }
  return null
}

/**
 * The fields of a flat object schema (string, number, integer, boolean or enum properties), or
 * `null` when the schema is empty or asks for more than that: the answer is then typed as JSON.
 */
export function schemaFields(schema: unknown): SchemaField[] | null {
  if (!isRecord(schema) || schema.type !== 'object' || !isRecord(schema.properties)) return null
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [])
  const fields: SchemaField[] = []
  for (const [name, property] of Object.entries(schema.properties)) {
    const field = fieldOf(name, property, required.has(name))
    if (!field) return null
    fields.push(field)
  }
  return fields.length > 0 ? fields : null
}

/** The answer from the form's values: blanks are left out, enum choices become their values. */
export function answerOf(fields: readonly SchemaField[], values: Record<string, unknown>): Record<string, unknown> {
  const answer: Record<string, unknown> = {}
  for (const field of fields) {
    const value = values[field.name]
    if (value === undefined || value === null || value === '') continue
    answer[field.name] = field.kind === 'enum' ? field.options[Number(value)] : value
  }
  return answer
}
