/** What the shared form's widgets read from rjsf's `formContext`. */
export interface SchemaFormContext {
  /** Snippets the template editor offers to insert (`{{input}}`, `{{nodes.n1.output}}`, …). */
  templateSuggestions?: string[]
}
