/** What a typed refusal or not-found says (the server writes these as sentences), or `fallback`. */
export function refusalText(answer: { message?: string } | null | undefined, fallback: string): string {
  return answer?.message?.trim() || fallback
}

/** An exception (network, GraphQL error such as FORBIDDEN) in words. */
export function failureText(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure)
}
