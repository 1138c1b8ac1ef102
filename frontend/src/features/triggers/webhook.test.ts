import { describe, expect, it } from 'vitest'
import { curlExample, problemText, webhookUrl } from './webhook'

describe('webhook helpers', () => {
  it('makes the absolute URL of a webhook path', () => {
    expect(webhookUrl('/hooks/abc', 'https://flowloom.example')).toBe('https://flowloom.example/hooks/abc')
  })

  it('writes a curl command that signs the body with the secret', () => {
    const command = curlExample('https://f.example/hooks/abc', 'flwh_s3cret')
    expect(command).toContain("-hmac 'flwh_s3cret'")
    expect(command).toContain('X-Flowloom-Signature: sha256=$SIG')
    expect(command).toContain("'https://f.example/hooks/abc?wait=10'")
  })

  it('says where each problem is', () => {
    expect(problemText([{ message: 'bad', path: 'cron' }, { message: 'worse', path: null }])).toEqual(['cron: bad', 'worse'])
  })
})
