// Turns a pydantic JSON Schema into what rjsf renders well, and the uiSchema that picks widgets:
// `anyOf [X, null]` becomes an optional X; `x-template` strings get the template editor; values of
// any JSON (no type, free-form objects, JSON templates) get a JSON text field.
import type { RJSFSchema, UiSchema } from '@rjsf/utils'

type Schema = Record<string, unknown>

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function resolveRef(schema: Schema, root: Schema): Schema {
  if (typeof schema.$ref !== 'string') return schema
  const name = schema.$ref.replace(/^#\/(\$defs|definitions)\//, '')
  const defs = isRecord(root.$defs) ? root.$defs : isRecord(root.definitions) ? root.definitions : {}
  const found = defs[name]
  return isRecord(found) ? found : schema
}

/** `anyOf: [X, {type: null}]` → X (with the outer title, description and default). */
function unwrapNullable(schema: Schema): Schema {
  const options = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isRecord) : null
  if (!options || options.length !== 2) return schema
  const rest = options.filter((option) => option.type !== 'null')
  if (rest.length !== 1) return schema
  const { anyOf: _anyOf, default: fallback, ...outer } = schema
  return { ...rest[0], ...outer, ...(fallback === null || fallback === undefined ? {} : { default: fallback }) }
}

/** A schema whose value is any JSON, edited as JSON text. */
function isFreeJson(schema: Schema, root: Schema): boolean {
  if (schema['x-template'] === 'json') return true
  const resolved = resolveRef(schema, root)
  if (resolved.type === undefined && !resolved.anyOf && !resolved.oneOf && !resolved.enum && resolved.const === undefined)
    return true
  return resolved.type === 'object' && !isRecord(resolved.properties)
}

/** An empty field shows the value it stands for: its schema's default (`fail`, `10`, …). */
function placeholderOf(schema: Schema): UiSchema {
  const fallback = schema.default
  return ['string', 'number', 'boolean'].includes(typeof fallback) && fallback !== '' ? { 'ui:placeholder': `${String(fallback)} (default)` } : {}
}

function prepareProperty(raw: Schema, root: Schema, depth: number): { schema: Schema; ui: UiSchema } {
  const prepared = preparePropertyInner(raw, root, depth)
  return { schema: prepared.schema, ui: { ...placeholderOf(prepared.schema), ...prepared.ui } }
}

function preparePropertyInner(raw: Schema, root: Schema, depth: number): { schema: Schema; ui: UiSchema } {
  const schema = unwrapNullable(raw)
  const template = schema['x-template']
  if (template === 'text' || template === 'expression') {
    return { schema, ui: { 'ui:widget': 'template', 'ui:options': { templateKind: template } } }
  }
  if (isFreeJson(schema, root)) {
    const { $ref: _ref, type: _type, ...rest } = schema
    return { schema: rest, ui: { 'ui:field': 'json' } }
  }
  const resolved = resolveRef(schema, root)
  if (depth < 4 && resolved.type === 'object' && isRecord(resolved.properties)) {
    const { $ref: _ref, ...own } = schema
    return prepareObject({ ...resolved, ...own }, root, depth + 1)
  }
  if (depth < 4 && resolved.type === 'array' && isRecord(resolved.items)) {
    const items = resolveRef(resolved.items, root)
    if (items.type === 'object' && isRecord(items.properties)) {
      const inner = prepareObject(items, root, depth + 1)
      const { $ref: _ref, ...own } = schema
      return { schema: { ...own, type: 'array', items: inner.schema }, ui: { items: inner.ui } }
    }
  }
  return { schema, ui: {} }
}

function prepareObject(schema: Schema, root: Schema, depth: number): { schema: Schema; ui: UiSchema } {
  const properties = isRecord(schema.properties) ? schema.properties : {}
  const nextProperties: Schema = {}
  const ui: UiSchema = {}
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property)) continue
    const prepared = prepareProperty(property, root, depth)
    nextProperties[name] = prepared.schema
    if (Object.keys(prepared.ui).length) ui[name] = prepared.ui
  }
  const { $ref: _ref, ...rest } = schema
  return { schema: { ...rest, properties: nextProperties }, ui }
}

/** The schema rjsf renders, and its uiSchema. */
export function prepareSchema(input: unknown): { schema: RJSFSchema; uiSchema: UiSchema } {
  const root = isRecord(input) ? input : {}
  if (!isRecord(root.properties)) return { schema: root as RJSFSchema, uiSchema: {} }
  const prepared = prepareObject(root, root, 0)
  return { schema: { ...prepared.schema, $defs: root.$defs } as RJSFSchema, uiSchema: prepared.ui }
}
