import { describe, expect, it } from 'vitest'
import { answerOf, schemaFields } from './schemaFields'

describe('schemaFields', () => {
  it('reads the simple properties of an object schema', () => {
    const fields = schemaFields({
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        count: { type: 'integer', title: 'How many' },
        colour: { enum: ['red', 'blue'] },
      },
      required: ['count'],
    })
    expect(fields?.map((field) => [field.name, field.label, field.kind, field.required])).toEqual([
      ['ok', 'ok', 'boolean', false],
      ['count', 'How many', 'integer', true],
      ['colour', 'colour', 'enum', false],
    ])
    expect(answerOf(fields ?? [], { ok: true, count: 3, colour: '1' })).toEqual({ ok: true, count: 3, colour: 'blue' })
  })

  it('falls back to JSON for an empty schema or a nested one', () => {
    expect(schemaFields({})).toBeNull()
    expect(schemaFields({ type: 'object', properties: { tags: { type: 'array' } } })).toBeNull()
  })
})
