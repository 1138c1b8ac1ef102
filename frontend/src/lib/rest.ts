// The account endpoints (/auth/*) are plain JSON over REST, outside the GraphQL schema, so codegen
// cannot type them: every answer arrives as `unknown` and is narrowed by the small readers below.

/** One answer of a REST call: its status and its decoded JSON body (or `null`). */
export interface RestResult {
  ok: boolean
  status: number
  data: unknown
}

/** GET (no body) or POST (a JSON body) a same-origin path; the session cookie travels with it. */
export async function rest(
  path: string,
  body?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<RestResult> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  })
  let data: unknown = null
  try {
    data = await response.json()
  } catch {
    // an empty or non-JSON body (a proxy's error page): the status says enough
    data = null
  }
  return { ok: response.ok, status: response.status, data }
}

/** The object itself when `value` is a plain object, else `undefined`. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** A string field of an object, or `undefined`. */
export function stringField(value: unknown, key: string): string | undefined {
  const field = asRecord(value)?.[key]
  return typeof field === 'string' ? field : undefined
}

/** The error text of a failed answer (`{"error": {"code", "message"}}`), in words. */
export function errorText(result: RestResult): string {
  const error = asRecord(result.data)?.error
  const message = stringField(error, 'message')
  if (message) return message
  if (result.status === 429) return 'Too many attempts. Wait a moment and try again.'
  return `The server answered ${result.status}.`
}
