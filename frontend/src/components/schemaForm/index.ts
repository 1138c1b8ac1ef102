// The shared JSON-Schema form, loaded on demand (rjsf is large and no first page needs it).
import { lazy } from 'react'

export const LazySchemaForm = lazy(() => import('./SchemaForm'))
export type { SchemaFormProps } from './SchemaForm'
