import { describe, expect, it } from 'vitest'
import kinds from '../../test/nodeKinds.json'
import { defaultParams } from './defaults'

const schemaOf = (kind: string) => kinds.find((item) => item.kind === kind)?.paramsSchema

describe('default params', () => {
  it('fills required fields and plain defaults from the schema', () => {
    expect(defaultParams(schemaOf('llm'))).toEqual({ model: '', prompt: '' })
    expect(defaultParams(schemaOf('condition'))).toMatchObject({ cases: [{ branch: '', when: '' }], default: 'default' })
    expect(defaultParams(undefined)).toEqual({})
  })
})
