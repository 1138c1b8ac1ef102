// A new node's params, from its kind's JSON Schema: required fields (their default, else an empty
// value of their type) and the plain defaults the schema states. No per-kind code.
type Schema = Record<string, unknown>

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  const name = ref.replace(/^#\/(\$defs|definitions)\//, '')
  const defs = (isRecord(root.$defs) ? root.$defs : isRecord(root.definitions) ? root.definitions : {}) as Schema
  const found = defs[name]
  const { $ref: _ref, ...own } = schema
  return isRecord(found) ? { ...found, ...own } : schema
}

function emptyValue(schema: Schema, root: Schema, depth: number): unknown {
  const resolved = resolve(schema, root)
  if ('default' in resolved) return structuredClone(resolved.default)
  if ('const' in resolved) return resolved.const
  if (Array.isArray(resolved.enum) && resolved.enum.length) return resolved.enum[0]
  switch (resolved.type) {
    case 'string':
      return ''
    case 'number':
    case 'integer':
      return typeof resolved.minimum === 'number' ? resolved.minimum : 0
    case 'boolean':
      return false
    case 'array': {
      const min = typeof resolved.minItems === 'number' ? resolved.minItems : 0
      const items = isRecord(resolved.items) ? resolved.items : {}
      return depth > 4 ? [] : Array.from({ length: min }, () => emptyValue(items, root, depth + 1))
    }
    case 'object':
      return depth > 4 ? {} : objectDefaults(resolved, root, depth + 1)
    default:
      return null
  }
}

function objectDefaults(schema: Schema, root: Schema, depth: number): Schema {
  const properties = isRecord(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : [])
  const result: Schema = {}
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property)) continue
    if (required.has(name)) result[name] = emptyValue(property, root, depth)
    else if (depth === 0 && 'default' in property && property.default !== null && typeof property.default !== 'object')
      result[name] = property.default
  }
  return result
}

/** The params a new node of the kind whose params schema is `schema` starts with. */
export function defaultParams(schema: unknown): Record<string, unknown> {
  return isRecord(schema) ? objectDefaults(schema, schema, 0) : {}
}
