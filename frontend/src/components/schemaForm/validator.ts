// A JSON-Schema validator for rjsf that never compiles code: the served app's CSP forbids eval and
// `new Function`, which rjsf's Ajv validator needs. @cfworker/json-schema interprets schemas instead.
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema'
import {
  toErrorSchema,
  type CustomValidator,
  type ErrorSchema,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from '@rjsf/utils'

/** Keywords that only say "something below failed"; the failures below are reported themselves. */
const CONTAINERS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref', 'additionalProperties', 'dependentSchemas'])

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `schema` with the root's `$defs`/`definitions`, so the `$ref`s rjsf leaves in sub-schemas resolve;
 * a deep copy, since cfworker marks up the schemas it is given (and Apollo's results are frozen).
 */
function withDefinitions(schema: RJSFSchema, rootSchema: RJSFSchema): Schema {
  const extra: Json = {}
  if (rootSchema.$defs && !schema.$defs) extra.$defs = rootSchema.$defs
  if (rootSchema.definitions && !schema.definitions) extra.definitions = rootSchema.definitions
  return JSON.parse(JSON.stringify({ ...(schema as Json), ...extra })) as Schema
}

/** One compiled validator per schema pair (rjsf asks about the same sub-schemas again and again). */
const validators = new WeakMap<object, WeakMap<object, Validator>>()

function validatorFor(schema: RJSFSchema, rootSchema: RJSFSchema, shortCircuit: boolean): Validator {
  if (!shortCircuit) return new Validator(withDefinitions(schema, rootSchema), '2020-12', false)
  let byRoot = validators.get(schema)
  if (!byRoot) {
    byRoot = new WeakMap()
    validators.set(schema, byRoot)
  }
  let found = byRoot.get(rootSchema)
  if (!found) {
    found = new Validator(withDefinitions(schema, rootSchema), '2020-12', true)
    byRoot.set(rootSchema, found)
  }
  return found
}

/** `#/cases/0/when` → `.cases.0.when` (rjsf's property path). */
function propertyOf(instanceLocation: string): string {
  const parts = instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean)
  return parts.map((part) => `.${decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')}`).join('')
}

/** A readable message from cfworker's output unit (its own `error` names the location in a sentence). */
function messageOf(unit: OutputUnit): string {
  const text = unit.error.replace(/^Instance(?: at "[^"]*")? /, '')
  if (unit.keyword === 'required') {
    const missing = /"([^"]+)"/.exec(unit.error)?.[1]
    return missing ? `${missing} is required` : 'a required property is missing'
  }
  return text.replace(/\.$/, '')
}

function errorsOf(schema: RJSFSchema, formData: unknown): RJSFValidationError[] {
  const result = validatorFor(schema, schema, false).validate(formData)
  if (result.valid) return []
  const seen = new Set<string>()
  const errors: RJSFValidationError[] = []
  for (const unit of result.errors) {
    if (CONTAINERS.has(unit.keyword)) continue
    let property = propertyOf(unit.instanceLocation)
    let name = unit.keyword
    if (unit.keyword === 'required') {
      const missing = /"([^"]+)"/.exec(unit.error)?.[1]
      if (missing) property = `${property}.${missing}`
      name = 'required'
    }
    const message = messageOf(unit)
    const key = `${property}|${message}`
    if (seen.has(key)) continue
    seen.add(key)
    errors.push({ name, property, message, params: {}, stack: `${property} ${message}`.trim(), schemaPath: unit.keywordLocation })
  }
  return errors
}

/** rjsf's `ValidatorType` over @cfworker/json-schema (draft 2020-12, as pydantic writes). */
export const cfworkerValidator: ValidatorType = {
  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    let errors = errorsOf(schema, formData)
    if (transformErrors) errors = transformErrors(errors, uiSchema)
    // (no form of the app passes `customValidate`; its checks would go here)
    void customValidate
    const errorSchema = toErrorSchema(errors) as ErrorSchema<unknown>
    return { errors, errorSchema: isObject(errorSchema) ? errorSchema : {} }
  },
  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    try {
      return validatorFor(schema, rootSchema, true).validate(formData).valid
    } catch {
      return false
    }
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    return { errors: errorsOf(schema, formData) as Result[] }
  },
}
