// The shared form renders every node kind the server serves (src/test/nodeKinds.json, kept current by
// tests/backend/test_frontend_fixtures.py): a new kind needs no front-end change.
import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { defaultParams } from '../../features/editor/defaults'
import kinds from '../../test/nodeKinds.json'
import SchemaForm from './SchemaForm'

describe('the shared schema form, for every node kind', () => {
  it.each(kinds.map((kind) => [kind.kind, kind] as const))('renders a usable params form for %s', (_name, kind) => {
    const { container } = render(<SchemaForm schema={kind.paramsSchema} formData={defaultParams(kind.paramsSchema)} idPrefix="params" />)
    const properties = Object.keys((kind.paramsSchema as { properties: object }).properties)
    for (const name of properties) expect(container.querySelector(`[id^="params_${name}"]`), `${kind.kind}.${name}`).not.toBeNull()
    expect(container.querySelector('.rjsf-field-error, .unsupported-field')).toBeNull()
  })

})
