import { describe, expect, it } from 'vitest'
import { providerRows } from './providers'

const stored = (provider: string) => ({ provider, baseUrl: null, createdAt: 'c', updatedAt: 'u' })

describe('provider rows', () => {
  it('lists every known provider, set or not', () => {
    const rows = providerRows([stored('anthropic')])
    expect(rows.map((row) => [row.id, row.credential !== null])).toEqual([
      ['openai', false],
      ['anthropic', true],
      ['ollama', false],
    ])
  })

  it('keeps a provider the server knows and the app does not', () => {
    expect(providerRows([stored('mistral')]).at(-1)?.name).toBe('mistral')
  })
})
