import { describe, expect, it } from 'vitest'
import { readDefinitionFile } from './definitionFile'

describe('readDefinitionFile', () => {
  it('takes a bare definition, named after its file', () => {
    const imported = readDefinitionFile('Seed.json', '{"nodes": [], "edges": []}')
    expect(imported.name).toBe('Seed')
    expect(JSON.parse(imported.definitionText)).toEqual({ nodes: [], edges: [] })
  })

  it('takes {name, definition} as it is', () => {
    const imported = readDefinitionFile('x.json', '{"name": "Nightly", "definition": {"nodes": []}}')
    expect(imported).toEqual({ name: 'Nightly', definitionText: JSON.stringify({ nodes: [] }, null, 2) })
  })

  it('says in words when the file is not JSON', () => {
    expect(() => readDefinitionFile('notes.json', 'nodes:')).toThrow(/^notes\.json is not JSON/)
  })
})
