import type { CredentialsQuery } from '../../gql/graphql'

type Credential = CredentialsQuery['credentials'][number]

/** The providers a workspace can hold a key for (SetCredentialInput's), in the order shown. */
export const PROVIDERS = [
  { id: 'openai', name: 'OpenAI', note: 'openai: and openai-chat: models (any OpenAI-compatible endpoint)' },
  { id: 'anthropic', name: 'Anthropic', note: 'anthropic: models' },
  { id: 'ollama', name: 'Ollama', note: 'ollama: models (a base URL, usually no key)' },
] as const

/** One row of the Credentials tab: a provider and what is stored for it (never the key itself). */
export interface ProviderRow {
  id: string
  name: string
  note: string
  credential: Credential | null
}

/** Every known provider with its stored credential, then any other provider the server lists. */
export function providerRows(credentials: readonly Credential[]): ProviderRow[] {
  const byProvider = new Map(credentials.map((item) => [item.provider, item]))
  const known: ProviderRow[] = PROVIDERS.map((provider) => ({ ...provider, credential: byProvider.get(provider.id) ?? null }))
  const others = credentials
    .filter((item) => !PROVIDERS.some((provider) => provider.id === item.provider))
    .map((item) => ({ id: item.provider, name: item.provider, note: '', credential: item }))
  return [...known, ...others]
}
