import type { CodegenConfig } from '@graphql-codegen/cli'

// Types come only from the server's schema and the shared operation documents, so the two cannot drift.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['../graphql/*.graphql'],
  generates: {
    // union and interface members, so Apollo's cache matches `... on Workflow` in a union's answer
    'src/gql/possibleTypes.ts': {
      plugins: ['fragment-matcher'],
      config: { module: 'es2015', apolloClientVersion: 3, useExplicitTyping: true },
    },
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
}

export default config
