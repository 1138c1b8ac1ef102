// The one JSON-Schema form of the app (node settings and params, run inputs, human-task answers):
// rjsf with antd widgets, a validator that needs no eval (the CSP forbids it), and our own widgets
// for templates and free JSON. Load it through `LazySchemaForm` (index.ts): it is not in the first page.
import Form from '@rjsf/antd'
import type { ErrorSchema, RJSFSchema, RegistryFieldsType, RegistryWidgetsType, UiSchema } from '@rjsf/utils'
import { useMemo } from 'react'
import type { ReactNode } from 'react'
import { prepareSchema } from './prepare'
import type { SchemaFormContext } from './types'
import { cfworkerValidator } from './validator'
import { JsonField, TemplateWidget } from './widgets'
import './schemaForm.css'

const widgets: RegistryWidgetsType = { template: TemplateWidget }
const fields: RegistryFieldsType = { json: JsonField }
const defaultsBehavior = { emptyObjectFields: 'populateRequiredDefaults' as const }

export interface SchemaFormProps {
  /** A JSON Schema (pydantic's output, with `$defs`). */
  schema: unknown
  formData: unknown
  /** Every change; `fieldId` names the field changed (e.g. `root_prompt`), for undo coalescing. */
  onChange?: (formData: unknown, fieldId?: string) => void
  /** Submit (with the form's own submit button, `submitLabel`); validation runs first. */
  onSubmit?: (formData: unknown) => void
  submitLabel?: string
  /** Shown next to their fields (e.g. the server's validation problems). */
  extraErrors?: ErrorSchema
  disabled?: boolean
  /** Prefix of the field ids, unique per form on one page. */
  idPrefix?: string
  templateSuggestions?: string[]
  /** Keep the schema's own title and description on top (off for node panels). */
  showTitle?: boolean
  /** Run the schema's checks before submitting (on by default). */
  validate?: boolean
  children?: ReactNode
}

/** The shared JSON-Schema form. */
export default function SchemaForm({
  schema,
  formData,
  onChange,
  onSubmit,
  submitLabel,
  extraErrors,
  disabled,
  idPrefix = 'root',
  templateSuggestions,
  showTitle = false,
  validate = true,
  children,
}: SchemaFormProps) {
  const prepared = useMemo(() => prepareSchema(schema), [schema])
  const shownSchema = useMemo<RJSFSchema>(() => {
    if (showTitle) return prepared.schema
    const { title: _title, description: _description, ...rest } = prepared.schema
    return rest
  }, [prepared, showTitle])
  const uiSchema = useMemo<UiSchema>(
    () => ({
      ...prepared.uiSchema,
      'ui:submitButtonOptions': onSubmit ? { submitText: submitLabel ?? 'Submit' } : { norender: true },
    }),
    [prepared, onSubmit, submitLabel],
  )
  // rowGutter/toolbarAlign: rjsf-antd's array items, tighter for narrow panels
  const formContext = useMemo<SchemaFormContext & { rowGutter: number; toolbarAlign: string }>(
    () => ({ templateSuggestions, rowGutter: 8, toolbarAlign: 'top' }),
    [templateSuggestions],
  )
  return (
    <Form
      className="schema-form"
      schema={shownSchema}
      uiSchema={uiSchema}
      formData={formData}
      validator={cfworkerValidator}
      widgets={widgets}
      fields={fields}
      formContext={formContext}
      extraErrors={extraErrors}
      idPrefix={idPrefix}
      disabled={disabled}
      noHtml5Validate
      noValidate={!validate}
      showErrorList={false}
      experimental_defaultFormStateBehavior={defaultsBehavior}
      onChange={(event, id) => onChange?.(event.formData, id)}
      onSubmit={(event) => onSubmit?.(event.formData)}
    >
      {children}
    </Form>
  )
}
