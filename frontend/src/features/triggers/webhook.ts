// What a webhook's sender needs: its full URL and a curl command that signs the body as the server checks it.

/** The absolute URL of a webhook path on the server this app is served from. */
export function webhookUrl(path: string, origin: string = window.location.origin): string {
  return new URL(path, origin).toString()
}

/** A curl command that posts `body` signed with `secret` (HMAC-SHA256 of the raw body, hex). */
export function curlExample(url: string, secret: string, body = '{"example": true}'): string {
  return [
    `BODY='${body}'`,
    `SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac '${secret}' -hex | sed 's/^.* //')`,
    `curl -sS -X POST '${url}?wait=10' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "X-Flowloom-Signature: sha256=$SIG" \\`,
    `  -d "$BODY"`,
  ].join('\n')
}

/** The browser's own IANA time zone (the default offered for a new schedule). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Problems as "where: what" sentences, one per problem. */
export function problemText(problems: readonly { message: string; path?: string | null }[]): string[] {
  return problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message))
}
