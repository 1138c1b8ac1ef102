import type { CodegenConfig } from '@graphql-codegen/cli'

// Types come only from the server's schema and the shared operation documents, so the two cannot drift.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['../graphql/*.graphql'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
}

export default config
