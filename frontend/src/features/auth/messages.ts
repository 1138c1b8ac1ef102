/** `/signin?error=<code>` codes (OpenID failures and the server's refusals), in words. */
export const SIGN_IN_ERRORS: Record<string, string> = {
  NOT_INVITED: 'There is no account for this email; ask an admin for an invitation.',
  EMAIL_NOT_VERIFIED: 'Your provider did not confirm your email address, so no account could be matched.',
  state_mismatch: 'That sign-in link was used already or opened in another browser. Start again.',
  domain_not_allowed: 'Your email’s domain may not sign in here.',
  unknown_provider: 'That sign-in provider is not configured.',
  provider_unreachable: 'The sign-in provider could not be reached. Try again in a moment.',
  invalid_provider_metadata: 'The sign-in provider is misconfigured. Tell your administrator.',
  wrong_issuer: 'The sign-in provider is misconfigured (it names another issuer). Tell your administrator.',
  token_exchange_failed: 'The sign-in provider refused to finish the sign-in. Start again.',
  invalid_id_token: 'The sign-in provider’s answer could not be verified. Start again.',
  unknown_key: 'The sign-in provider signed its answer with an unknown key. Tell your administrator.',
  wrong_audience: 'The sign-in provider’s answer was meant for another application. Tell your administrator.',
  expired: 'The sign-in took too long. Start again.',
  nonce_mismatch: 'That sign-in answer was not for this attempt. Start again.',
  userinfo_failed: 'The sign-in provider did not say who you are. Start again.',
}

/** A sign-in error code in words; unknown codes are named as they are. */
export function signInErrorText(code: string): string {
  return SIGN_IN_ERRORS[code] ?? `Sign-in failed (${code}).`
}

/** Only a path on this site may be the place to go after signing in (no open redirect). */
export function safeNext(next: string | null, fallback = '/'): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback
}
